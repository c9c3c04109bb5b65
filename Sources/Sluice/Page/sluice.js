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

  root.Sluice = { upload: upload, SluiceError: SluiceError, version: '1' };
})(typeof window !== 'undefined' ? window : this);
