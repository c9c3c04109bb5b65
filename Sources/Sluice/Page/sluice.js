/*
 * sluice.js — a small client for Sluice upload routes, on XMLHttpRequest (fetch has no
 * upload progress).
 *
 *   Sluice.upload(file, { url, token, fields, headers, onProgress, signal, method, field })
 *     -> Promise of the server's JSON ({code: 201, files: [...], fields: {...}})
 *
 *   url         the route, e.g. "/upload" (default)
 *   token       an upload token from your app's backend, sent as Authorization: Bearer
 *   fields      extra form fields, {name: value}
 *   headers     request headers, e.g. {Authorization: "Bearer ..."}
 *   onProgress  called with {loaded, total, percent} as the browser sends the file
 *   signal      an AbortSignal: aborting it cancels the upload (the server then aborts the S3 upload)
 *   method      "POST" (multipart/form-data, default) or "PUT" (the file as the body, to url + "/" + name)
 *   field       the form field of the file (default "file")
 *   resumable   true: send the file with tus to url + "/tus" (a route with `resumable: true`).
 *               A broken connection is retried (retryDelays, ms: [0, 1000, 3000, 5000, 10000])
 *               from the offset the server kept, and the upload's URL is kept in localStorage,
 *               so picking the same file after a page reload goes on where it stopped.
 *               Resolves with {code: 201, files: [{key, size, digests, filename, contentType,
 *               contentDisposition, disposition}], resumedFrom, receipt}.
 *   chunkSize   resumable only: bytes per PATCH (default: the rest of the file in one)
 *
 * A failed upload rejects with a SluiceError: {status, code, error, message, filter, file, json};
 * status 0 is a network error, and error "aborted" a cancelled upload.
 */
(function (root) {
  'use strict';

  function SluiceError(message, status, json) {
    this.name = 'SluiceError';
    this.message = message;
    this.status = status;
    this.json = json || null;
    this.code = json && json.code !== undefined ? json.code : status;
    this.error = json && json.error ? json.error : (status === 0 ? 'network_error' : 'http_' + status);
    this.filter = json && json.filter ? json.filter : null;
    this.file = json && json.file ? json.file : null;
  }
  SluiceError.prototype = Object.create(Error.prototype);
  SluiceError.prototype.constructor = SluiceError;

  function upload(file, options) {
    options = options || {};
    if (options.resumable) return uploadResumable(file, options);
    var url = options.url || '/upload';
    var method = (options.method || 'POST').toUpperCase();
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      var body;
      if (method === 'PUT') {
        xhr.open('PUT', url.replace(/\/$/, '') + '/' + encodeURIComponent(file.name || 'upload'));
        if (file.type) xhr.setRequestHeader('Content-Type', file.type);
        body = file;
      } else {
        xhr.open('POST', url);
        body = new FormData();
        var fields = options.fields || {};
        Object.keys(fields).forEach(function (name) { body.append(name, fields[name]); });
        body.append(options.field || 'file', file, file.name);
      }
      var headers = options.headers || {};
      Object.keys(headers).forEach(function (name) { xhr.setRequestHeader(name, headers[name]); });
      if (options.token) xhr.setRequestHeader('Authorization', 'Bearer ' + options.token);
      if (options.onProgress) {
        xhr.upload.onprogress = function (event) {
          var total = event.lengthComputable ? event.total : file.size;
          options.onProgress({ loaded: event.loaded, total: total, percent: total ? Math.min(100, 100 * event.loaded / total) : 0 });
        };
      }
      xhr.onload = function () {
        var json = null;
        try { json = JSON.parse(xhr.responseText); } catch (e) { json = null; }
        if (xhr.status >= 200 && xhr.status < 300 && json && /^(200|201)$/.test(String(json.code))) {
          resolve(json);
        } else {
          reject(new SluiceError(json && json.message ? json.message : 'HTTP ' + xhr.status, xhr.status, json));
        }
      };
      xhr.onerror = function () { reject(new SluiceError('network error: the upload did not reach the server', 0, null)); };
      xhr.onabort = function () { reject(new SluiceError('the upload was cancelled', 0, { error: 'aborted', message: 'the upload was cancelled' })); };
      if (options.signal) {
        if (options.signal.aborted) {
          reject(new SluiceError('the upload was cancelled', 0, { error: 'aborted', message: 'the upload was cancelled' }));
          return;
        }
        options.signal.addEventListener('abort', function () { xhr.abort(); });
      }
      xhr.send(body);
    });
  }


  // ---- resumable uploads: tus 1.0 ----

  var TUS = '1.0.0';
  var DEFAULT_RETRIES = [0, 1000, 3000, 5000, 10000];

  function base64(text) { return btoa(unescape(encodeURIComponent(text))); }

  function storageKey(url, file) {
    return 'sluice-tus:' + url + ':' + [file.name, file.size, file.type, file.lastModified].join(':');
  }

  function remember(key, value) {
    try { if (value) localStorage.setItem(key, value); else localStorage.removeItem(key); } catch (e) { /* private mode: no resume after reload */ }
  }

  function recall(key) {
    try { return localStorage.getItem(key); } catch (e) { return null; }
  }

  // One tus request: resolves with the XHR whatever its status; rejects on a network error.
  function tusRequest(method, url, headers, body, options, onProgress, abortables) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open(method, url);
      xhr.setRequestHeader('Tus-Resumable', TUS);
      var all = Object.assign({}, options.headers || {}, headers);
      Object.keys(all).forEach(function (name) { xhr.setRequestHeader(name, all[name]); });
      if (options.token) xhr.setRequestHeader('Authorization', 'Bearer ' + options.token);
      if (onProgress) xhr.upload.onprogress = function (event) { onProgress(event.loaded); };
      xhr.onload = function () { resolve(xhr); };
      xhr.onerror = function () { reject(new SluiceError('network error: the upload did not reach the server', 0, null)); };
      xhr.onabort = function () { reject(new SluiceError('the upload was cancelled', 0, { error: 'aborted', message: 'the upload was cancelled' })); };
      abortables.current = xhr;
      xhr.send(body === undefined ? null : body);
    });
  }

  function failure(xhr) {
    var json = null;
    try { json = JSON.parse(xhr.responseText); } catch (e) { json = null; }
    return new SluiceError(json && json.message ? json.message : 'HTTP ' + xhr.status, xhr.status, json);
  }

  // Whether another try may succeed: the connection broke, the server was busy or stopping,
  // another request still held the upload, or our offset was stale.
  function retryable(error) {
    return error.status === 0 || error.status === 408 || error.status === 409 || error.status === 423 || error.status === 429 || error.status >= 500;
  }

  function uploadResumable(file, options) {
    var endpoint = (options.url || '/upload').replace(/\/$/, '') + '/tus';
    var key = storageKey(endpoint, file);
    var delays = options.retryDelays || DEFAULT_RETRIES;
    var chunkSize = options.chunkSize || Infinity;
    var current = { current: null };
    var cancelled = false;
    var location = recall(key);
    var resumedFrom = 0;
    var tries = 0;

    if (options.signal) {
      options.signal.addEventListener('abort', function () {
        cancelled = true;
        if (current.current) current.current.abort();
      });
    }
    function progress(loaded) {
      if (options.onProgress) options.onProgress({ loaded: loaded, total: file.size, percent: file.size ? Math.min(100, 100 * loaded / file.size) : 100 });
    }
    function wait(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

    // Where the upload stands: its offset, or null when it must start over.
    function offsetOf(url) {
      return tusRequest('HEAD', url, {}, undefined, options, null, current).then(function (xhr) {
        if (xhr.status === 200 && Number(xhr.getResponseHeader('Upload-Length')) === file.size) return Number(xhr.getResponseHeader('Upload-Offset'));
        if (xhr.status === 404 || xhr.status === 410 || xhr.status === 403 || xhr.status === 200) return null;
        throw failure(xhr);
      });
    }

    function create() {
      var metadata = 'filename ' + base64(file.name || 'upload') + (file.type ? ',filetype ' + base64(file.type) : '');
      return tusRequest('POST', endpoint, { 'Upload-Length': String(file.size), 'Upload-Metadata': metadata }, undefined, options, null, current).then(function (xhr) {
        if (xhr.status !== 201 || !xhr.getResponseHeader('Location')) throw failure(xhr);
        location = new URL(xhr.getResponseHeader('Location'), new URL(endpoint, document.baseURI)).href;
        remember(key, location);
        return 0;
      });
    }

    function start() {
      if (!location) return create();
      return offsetOf(location).then(function (offset) {
        if (offset === null) { remember(key, null); location = null; return create(); }
        return offset;
      });
    }

    function send(offset) {
      var end = Math.min(file.size, offset + chunkSize);
      return tusRequest('PATCH', location, { 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': String(offset) }, file.slice(offset, end), options,
        function (loaded) { progress(offset + loaded); }, current).then(function (xhr) {
        if (xhr.status !== 204) throw failure(xhr);
        tries = 0;
        var now = Number(xhr.getResponseHeader('Upload-Offset'));
        progress(now);
        if (now < file.size) return send(now);
        remember(key, null);
        var digests = {};
        (xhr.getResponseHeader('Sluice-Digests') || '').split(',').forEach(function (pair) {
          var kv = pair.trim().split('=');
          if (kv.length === 2) digests[kv[0]] = kv[1];
        });
        return {
          code: 201, resumedFrom: resumedFrom, receipt: xhr.getResponseHeader('Sluice-Receipt'),
          files: [{
            key: xhr.getResponseHeader('Sluice-Key'), size: file.size, filename: file.name, digests: digests,
            contentType: xhr.getResponseHeader('Sluice-Content-Type'), contentDisposition: xhr.getResponseHeader('Sluice-Content-Disposition'),
            disposition: (xhr.getResponseHeader('Sluice-Content-Disposition') || '').split(';')[0] || null
          }]
        };
      });
    }

    function attempt() {
      return start().then(function (offset) {
        if (offset > 0 && !resumedFrom) resumedFrom = offset;
        progress(offset);
        return send(offset);
      }).catch(function (error) {
        if (cancelled) {
          // A cancelled upload is ended on the server too: nothing is kept.
          if (location) tusRequest('DELETE', location, {}, undefined, options, null, {}).catch(function () {});
          remember(key, null);
          throw new SluiceError('the upload was cancelled', 0, { error: 'aborted', message: 'the upload was cancelled' });
        }
        if (!retryable(error) || tries >= delays.length) {
          if (!retryable(error)) remember(key, null);
          throw error;
        }
        var delay = delays[tries++];
        return wait(delay).then(attempt);
      });
    }

    if (options.signal && options.signal.aborted) {
      return Promise.reject(new SluiceError('the upload was cancelled', 0, { error: 'aborted', message: 'the upload was cancelled' }));
    }
    return attempt();
  }

  root.Sluice = { upload: upload, SluiceError: SluiceError, version: '1' };
})(typeof window !== 'undefined' ? window : this);
