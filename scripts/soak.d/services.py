"""The processes a soak runs: the fault proxy, UploadServer, and the watcher that samples the
server's RSS and notices if it dies. Every process is started in a session of its own, its PID
written to the run's pids/ directory (the bash entry's trap stops them by PID on any exit)."""
import json, os, re, signal, subprocess, sys, threading, time, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def read_env_file(path):
    """The `export NAME=VALUE` lines of start-s3.sh's s3.env."""
    values = {}
    for line in open(path):
        match = re.match(r"export (\w+)=(.*)", line.strip())
        if match:
            values[match.group(1)] = match.group(2)
    return values


def remember_pid(out, name, process):
    """Writes the PID for the bash entry's trap; `stop` removes it, so a reused PID is never hit."""
    os.makedirs(os.path.join(out, "pids"), exist_ok=True)
    process.pid_file = os.path.join(out, "pids", name + ".pid")
    with open(process.pid_file, "w") as f:
        f.write(f"{process.pid}\n")


def stop(process, timeout=10):
    """SIGTERM, then SIGKILL; returns the exit status."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    try:
        os.remove(process.pid_file)
    except (AttributeError, OSError):
        pass
    return process.returncode


def get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as answer:
        return answer.read()


class FaultProxy:
    def __init__(self, out, upstream, seed, options):
        args = [sys.executable, os.path.join(ROOT, "scripts", "testing", "fault_s3.py"), upstream, "--seed", str(seed),
                "--log", os.path.join(out, "s3-requests.jsonl")]
        for name, value in options.items():
            args += [f"--{name}", str(value)]
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=open(os.path.join(out, "proxy.stderr"), "w"),
                                        start_new_session=True, text=True)
        remember_pid(out, "proxy", self.process)
        self.port = int(self.process.stdout.readline())
        self.url = f"http://127.0.0.1:{self.port}"

    def counts(self):
        return json.loads(get(self.url + "/__faults"))


class Server:
    """UploadServer with a config written here. Settings that a build may not know yet
    (`optional`: storage.timeout, server.maxUploadsPerClient) are dropped, with a note, when the
    server refuses them at start-up; the rest must be accepted."""

    def __init__(self, binary, out, s3, proxy_url, optional):
        self.binary, self.out, self.s3, self.proxy_url = binary, out, s3, proxy_url
        self.optional = dict(optional)     # "section.key": value
        self.dropped = []
        self.config_path = os.path.join(out, "sluice-soak.yaml")
        for _ in range(len(optional) + 1):
            self.write_config()
            if self.start():
                return
            stop(self.process)
            log = open(self.log_path).read()
            refused = next((name for name in self.optional if name in log), None)
            if refused is None:
                raise RuntimeError(f"UploadServer did not start (exit {self.process.returncode}):\n{log}")
            print(f"soak: this UploadServer refuses {refused} ({log.strip().splitlines()[-1]}); running without it", file=sys.stderr)
            self.dropped.append(refused)
            del self.optional[refused]
        raise RuntimeError("UploadServer did not start")

    def accepted(self, name):
        return name in self.optional

    def extra(self, section):
        return "".join(f", {name.split('.', 1)[1]}: {value}" for name, value in self.optional.items() if name.startswith(section + "."))

    def write_config(self):
        with open(self.config_path, "w") as f:
            f.write(f"""# Written by scripts/soak. Endpoint, region and credentials come from the environment.
# All the soak's clients come from 127.0.0.1, standing for many browsers: no per-address limit.
server: {{ host: 127.0.0.1, port: 0, maxConcurrentUploads: {MAX_CONCURRENT}, maxBufferedBytes: {MAX_BUFFERED_MIB}MiB,
          shutdownTimeout: 30{self.extra("server")} }}
storage: {{ type: s3, bucket: {self.s3['SLUICE_TEST_S3_BUCKET']}, partSize: 8MiB, concurrency: 4, retries: 2{self.extra("storage")} }}
routes:
  - {{ path: /any, chain: any }}
  - {{ path: /images, chain: images }}
  - {{ path: /text, chain: text }}
chains:
  any:        # permissive: anything whose content fits its claim
    - size-limit: {{ max: 256MiB }}
    - magic: {{ mismatch: reject }}
    - disposition: {{}}
    - hash: {{ algorithms: [sha256] }}
  images:     # strict: refuses what is not a PNG or JPEG (415)
    - size-limit: {{ max: 256MiB }}
    - magic: {{ allow: [image/png, image/jpeg] }}
    - disposition: {{ inline: [image/png, image/jpeg] }}
    - hash: {{ algorithms: [sha256] }}
  text:       # stores text gzip-compressed; hashes the original
    - size-limit: {{ max: 256MiB }}
    - magic: {{ mismatch: reject }}
    - disposition: {{}}
    - hash: {{ algorithms: [sha256] }}
    - gzip: {{ level: 6 }}
""")

    def start(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SLUICE_"))}
        env.update(AWS_ENDPOINT_URL=self.proxy_url, AWS_REGION=self.s3["SLUICE_TEST_S3_REGION"],
                   AWS_ACCESS_KEY_ID=self.s3["SLUICE_TEST_S3_ACCESS_KEY_ID"],
                   AWS_SECRET_ACCESS_KEY=self.s3["SLUICE_TEST_S3_SECRET_ACCESS_KEY"], LOG_LEVEL="info")
        self.log_path = os.path.join(self.out, "server.log")
        stdout_path = os.path.join(self.out, "server.stdout")
        self.process = subprocess.Popen([self.binary, "--config", self.config_path], stdout=open(stdout_path, "w"),
                                        stderr=open(self.log_path, "w"), env=env, start_new_session=True)
        remember_pid(self.out, "server", self.process)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            match = re.search(r"Sluice is listening on http://([\d.]+):(\d+)/", open(stdout_path).read())
            if match:
                self.host, self.port = match.group(1), int(match.group(2))
                self.url = f"http://{self.host}:{self.port}"
                return True
            if self.process.poll() is not None:
                return False
            time.sleep(0.05)
        stop(self.process)
        return False

    def in_flight(self):
        return json.loads(get(self.url + "/healthz"))["uploadsInFlight"]

    def metrics(self):
        return get(self.url + "/metrics").decode()


MAX_CONCURRENT = 32
MAX_BUFFERED_MIB = 88
# README "Deploying": maxBufferedBytes, plus about 50 MiB, plus about 2 MiB per upload in flight.
RSS_BOUND_MIB = MAX_BUFFERED_MIB + 50 + 2 * MAX_CONCURRENT


class Watcher(threading.Thread):
    """Samples the server's VmRSS every 0.5 s (to rss.csv) and notices when it exits."""

    def __init__(self, server, out, on_death):
        super().__init__(daemon=True)
        self.server, self.on_death = server, on_death
        self.samples = open(os.path.join(out, "rss.csv"), "w", buffering=1)
        self.samples.write("seconds,rss_kib\n")
        self.peak_kib, self.peak_at = 0, 0.0
        self.died = None          # (seconds since start, exit status) if it exited before we stopped it
        self.stopping = threading.Event()
        self.started_at = time.monotonic()

    def run(self):
        status_path = f"/proc/{self.server.process.pid}/status"
        while not self.stopping.is_set():
            elapsed = time.monotonic() - self.started_at
            code = self.server.process.poll()
            if code is not None:
                if not self.stopping.is_set():
                    self.died = (round(elapsed, 1), code)
                    self.on_death()
                return
            try:
                rss = int(re.search(r"VmRSS:\s+(\d+)", open(status_path).read()).group(1))
            except (OSError, AttributeError):
                rss = None
            if rss is not None:
                self.samples.write(f"{elapsed:.1f},{rss}\n")
                if rss > self.peak_kib:
                    self.peak_kib, self.peak_at = rss, round(elapsed, 1)
            self.stopping.wait(0.5)
