"""Caliper client for training scripts that cannot install packages: standard library only.

    import caliper_client
    run = caliper_client.start_run("brain-tumour-seg", experiment="unet", params={"lr": 1e-3})
    for step in range(100):
        run.log_metric("loss", loss, step)     # buffered, sent in batches by a background thread
    run.log_artifact("model.onnx")             # streamed, with its sha256
    run.finish()                               # flushes, then marks the run finished

A job launched from a run template (Slurm, Kubernetes, a local process) logs to the run the launch
created: `caliper_client.launched_run()` takes its id, the API URL and the run's token from the
CALIPER_RUN_ID, CALIPER_URL and CALIPER_TOKEN the executor set.

With `system_metrics_interval=10` (seconds; off by default, as in MLflow) a second thread logs CPU
utilisation (from /proc/stat), memory use (from /proc/meminfo) and NVIDIA GPUs (through
`nvidia-smi`, skipped when it is not installed) under MLflow's `system/...` names, as the
TypeScript SDK does; its step is the sample's index.

The API URL and token come from the arguments or from CALIPER_URL / CALIPER_TOKEN. Metric batches
carry an Idempotency-Key fixed when the batch is cut, so the retries (backoff with jitter on 429,
5xx and network errors, honouring Retry-After) never store a point twice. When the buffer is full,
log_metric blocks until a batch has landed, so memory stays bounded.
"""

import concurrent.futures
import csv
import hashlib
import http.client
import json
import math
import os
import random
import re
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

__all__ = ["CaliperError", "Client", "Run", "SystemMetricsSampler", "download_dataset", "launched_run", "start_run"]

# http.client.IncompleteRead: the server closed a streamed answer early (its source failed mid-body).
_RETRYABLE_NETWORK = (urllib.error.URLError, ConnectionError, TimeoutError, http.client.IncompleteRead)


class CaliperError(Exception):
    """An error from the API (its code and message) or the network (code NETWORK_ERROR, status 0)."""

    def __init__(self, code, message, status=0):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def _wire_value(v):
    """JSON has no NaN or Infinity; MLflow and Caliper take them as strings."""
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def _retry_after_seconds(header):
    if header and header.strip().isdigit():
        return float(header.strip())
    return None


def _error_from(status, body, what):
    code, message = "HTTP_%d" % status, body.strip() or "no body"
    try:
        parsed = json.loads(body)
        code = parsed.get("code") or parsed.get("error_code") or code
        message = parsed.get("message") or message
    except (ValueError, AttributeError):
        pass
    return CaliperError(code, "%s failed (%d %s): %s" % (what, status, code, message), status)


# System metrics: MLflow 2.x's names, the same keys as the TypeScript SDK (libs/sdk/src/system-metrics.ts).
# The parsers are pure (text in, numbers out); SystemMetricsSampler reads the files and runs nvidia-smi.

CPU_UTILIZATION = "system/cpu_utilization_percentage"
MEMORY_USAGE_MB = "system/system_memory_usage_megabytes"
MEMORY_USAGE_PERCENT = "system/system_memory_usage_percentage"
NVIDIA_SMI_QUERY = ["--query-gpu=utilization.gpu,memory.used,memory.total", "--format=csv,noheader,nounits"]


def parse_proc_stat(text):
    """(idle, total) jiffies of all CPUs from /proc/stat's "cpu" line, or None without one.

    Idle counts iowait too; total leaves out guest time, which the kernel already counts in user
    and nice (as psutil, and so MLflow, do).
    """
    for line in text.splitlines():
        fields = line.split()
        if fields and fields[0] == "cpu":
            values = [int(v) for v in fields[1:9]]
            values += [0] * (8 - len(values))
            user, nice, system, idle, iowait, irq, softirq, steal = values
            return idle + iowait, user + nice + system + idle + iowait + irq + softirq + steal
    return None


def cpu_utilization(previous, current):
    """Percent of CPU time busy between two parse_proc_stat readings (0 when no time passed)."""
    total = current[1] - previous[1]
    if total <= 0:
        return 0.0
    busy = total - (current[0] - previous[0])
    return min(100.0, max(0.0, 100.0 * busy / total))


def parse_meminfo(text):
    """{key: value} of memory in use from /proc/meminfo: MB (MiB, as the SDK) and percent of the total.

    In use is MemTotal - MemAvailable (older kernels without MemAvailable: free + buffers + cached).
    Empty when MemTotal is missing.
    """
    kb = {}
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[0].isdigit():
            kb[name.strip()] = int(parts[0])
    total = kb.get("MemTotal")
    if not total:
        return {}
    available = kb.get("MemAvailable")
    if available is None:
        available = kb.get("MemFree", 0) + kb.get("Buffers", 0) + kb.get("Cached", 0)
    used = max(0, total - available)
    return {MEMORY_USAGE_MB: used / 1024.0, MEMORY_USAGE_PERCENT: 100.0 * used / total}


def parse_nvidia_smi(text):
    """{key: value} per GPU from `nvidia-smi --query-gpu=utilization.gpu,memory.used,memory.total
    --format=csv,noheader,nounits`: one line per GPU, in index order. A GPU with a value that is
    not a number ("[N/A]", "[Not Supported]") is left out; the others keep their index."""
    out = {}
    for i, line in enumerate(l for l in text.splitlines() if l.strip()):
        try:
            util, used, total = (float(v.strip()) for v in line.split(","))
        except ValueError:
            continue
        if not all(math.isfinite(v) for v in (util, used, total)):
            continue
        out["system/gpu_%d_utilization_percentage" % i] = util
        out["system/gpu_%d_memory_usage_megabytes" % i] = used
        out["system/gpu_%d_memory_usage_percentage" % i] = 100.0 * used / total if total > 0 else 0.0
    return out


class SystemMetricsSampler:
    """Samples CPU (since the previous sample, or since construction), memory and NVIDIA GPUs.

    What the machine lacks is left out without an error: no /proc (not Linux), no nvidia-smi.
    `proc` and `nvidia_smi` (a path, or None for none) are for tests; by default /proc and the
    nvidia-smi found on PATH.
    """

    _DEFAULT = object()

    def __init__(self, proc="/proc", nvidia_smi=_DEFAULT, timeout=5.0):
        self.proc = proc
        self.nvidia_smi = shutil.which("nvidia-smi") if nvidia_smi is self._DEFAULT else nvidia_smi
        self.timeout = timeout
        self._cpu = self._read_cpu()

    def _read(self, name):
        try:
            with open(os.path.join(self.proc, name), encoding="ascii", errors="replace") as f:
                return f.read()
        except OSError:
            return None

    def _read_cpu(self):
        text = self._read("stat")
        try:
            return parse_proc_stat(text) if text else None
        except ValueError:
            return None

    def _gpus(self):
        if not self.nvidia_smi:
            return {}
        try:
            done = subprocess.run([self.nvidia_smi] + NVIDIA_SMI_QUERY, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                  timeout=self.timeout, check=True, universal_newlines=True)
        except (OSError, subprocess.SubprocessError):
            return {}
        return parse_nvidia_smi(done.stdout)

    def sample(self):
        """{key: value} now: CPU since the previous sample, memory, and each GPU."""
        values = {}
        cpu = self._read_cpu()
        if cpu is not None and self._cpu is not None:
            values[CPU_UTILIZATION] = cpu_utilization(self._cpu, cpu)
        self._cpu = cpu
        meminfo = self._read("meminfo")
        if meminfo:
            values.update(parse_meminfo(meminfo))
        values.update(self._gpus())
        return values


class Client:
    """The HTTP side: base URL, token, and retries with exponential backoff and full jitter."""

    def __init__(self, url=None, token=None, max_attempts=6, base_delay=0.2, max_delay=15.0, timeout=60.0):
        self.url = (url or os.environ.get("CALIPER_URL") or "").rstrip("/")
        self.token = token or os.environ.get("CALIPER_TOKEN")
        if not self.url or not self.token:
            raise CaliperError("NOT_CONFIGURED", "give url and token, or set CALIPER_URL and CALIPER_TOKEN")
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.timeout = timeout

    def request(self, method, path, body=None, headers=None, idempotent=None, what=None, data=None, query=None, sink=None):
        """Sends a request, retrying what is safe to retry; returns the parsed JSON body (or None).

        `data` may be a callable returning a fresh file object per attempt (streamed uploads).
        `sink`, when given, reads the answer instead (called with the response on each attempt;
        what it returns is returned): streamed downloads.
        A non-idempotent request is retried only on 429/503 (refused before processing).
        """
        what = what or "%s %s" % (method, path)
        idempotent = method != "POST" if idempotent is None else idempotent
        url = self.url + path
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v not in (None, "")})
        hdrs = {"Accept": "application/json", "Authorization": "Bearer " + self.token}
        hdrs.update(headers or {})
        payload = None
        if body is not None:
            payload = json.dumps(body, allow_nan=False).encode("utf-8")
            hdrs["Content-Type"] = "application/json"
        for attempt in range(1, self.max_attempts + 1):
            last = attempt == self.max_attempts
            opened = data() if callable(data) else None
            req = urllib.request.Request(url, data=opened if opened is not None else payload, headers=hdrs, method=method)
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as res:
                    if sink is not None:
                        return sink(res)
                    text = res.read().decode("utf-8")
                    return json.loads(text) if text else None
            except urllib.error.HTTPError as err:
                text = err.read().decode("utf-8", "replace")
                retryable = err.code == 429 or err.code >= 500 if idempotent else err.code in (429, 503)
                if last or not retryable:
                    raise _error_from(err.code, text, what) from None
                self._wait(attempt, _retry_after_seconds(err.headers.get("Retry-After")))
            except _RETRYABLE_NETWORK as err:
                refused = isinstance(getattr(err, "reason", err), ConnectionRefusedError)
                if last or not (idempotent or refused):
                    raise CaliperError("NETWORK_ERROR", "%s failed: %s (after %d attempts)" % (what, err, attempt)) from None
                self._wait(attempt, None)
            finally:
                if opened is not None:
                    opened.close()
        raise AssertionError("unreachable")

    def _wait(self, attempt, retry_after):
        if retry_after is not None:
            delay = min(retry_after, self.max_delay)
        else:
            delay = random.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))
        time.sleep(delay)

    def get_run(self, run_id):
        return self.request("GET", "/api/v1/runs/" + run_id, what="reading run " + run_id)["run"]

    def search_runs(self, project, filter=None, order_by=None, max_results=None, page_token=None):
        """One page: {"runs": [...], "nextPageToken": ...}, filtered with MLflow's grammar."""
        query = {"filter": filter, "orderBy": order_by, "maxResults": max_results, "pageToken": page_token}
        return self.request("GET", "/api/v1/projects/%s/runs" % urllib.parse.quote(project, safe=""), query=query)

    def dataset_version(self, version_id):
        """A dataset version: dataset, number, state, manifest sha256, counts, label set, split settings."""
        return self.request("GET", "/api/v1/dataset-versions/" + urllib.parse.quote(version_id, safe=""),
                            what="reading dataset version " + version_id)

    def download_dataset(self, version_id, dest, split=None, workers=4, progress=None, masks=True):
        """Downloads a sealed dataset version, or one split of it, into `dest`, every checksum verified.

        The manifest comes first and must hash to the sha256 recorded when the version was sealed.
        Each item is then streamed through sha256 into a temporary file, renamed to
        dest/<split>/<item key>.dcm only when it matches the manifest. With `masks` (the default),
        an item's segmentation mask lands beside it as dest/<split>/<item key>.mask.<png|nii|nii.gz|dcm>,
        checked against the sha256 its object key names (a mask is stored under its sha256, and the
        key is in the sealed manifest). Files already there with the right sha256 are kept, so an
        interrupted download resumes where it stopped. Writes dest/manifest.jsonl (the verified
        manifest), dest/SHA256SUMS (`sha256sum -c SHA256SUMS` checks the files again) and
        dest/labels.csv. `progress(done, total)` is called as files land.

        Returns {"version", "manifestSha256", "items", "masks", "downloaded", "alreadyPresent", "bytes"}
        (downloaded and alreadyPresent count files: items and masks). Files that do not hash to
        their sha256 (changed in the PACS or the bucket since the seal) are not kept: after the
        others, CaliperError CHECKSUM_MISMATCH names them.
        """
        if split not in (None, "train", "val", "test"):
            raise ValueError("split must be train, val, test or None (all), got %r" % (split,))
        version = self.dataset_version(version_id)
        if version["state"] != "sealed":
            raise CaliperError("INVALID_STATE", "dataset version %s (v%s) is a draft: only sealed versions can be downloaded"
                               % (version_id, version["number"]), 409)
        base = "/api/v1/dataset-versions/" + urllib.parse.quote(version_id, safe="")

        def read_all(res):
            return res.read()
        manifest = self.request("GET", base + "/manifest", headers={"Accept": "application/x-ndjson"}, sink=read_all,
                                what="downloading the manifest of dataset version " + version_id)
        actual = hashlib.sha256(manifest).hexdigest()
        if actual != version["manifestSha256"]:
            raise CaliperError("CHECKSUM_MISMATCH", "the manifest of dataset version %s hashes to %s, not the %s recorded at its seal"
                               % (version_id, actual, version["manifestSha256"]))
        lines = manifest.decode("utf-8").splitlines()
        items = [json.loads(line) for line in lines[1:] if line]
        if split is not None:
            items = [i for i in items if i["split"] == split]
        for i in items:
            if not _SAFE_KEY.match(i["item"]):
                raise CaliperError("BAD_MANIFEST", "item key %r cannot be a file name" % (i["item"],))
        # One download per file: each item, then (with masks) each item's mask.
        item_url = base + "/items/%s/content"
        files = [{"item": i, "path": _item_path(i), "sha256": i["sha256"], "size": i["size"], "url": item_url % urllib.parse.quote(i["item"], safe=""),
                  "accept": "application/dicom", "what": "item " + i["item"]} for i in items]
        if masks:
            for i in items:
                if i.get("mask"):
                    sha256, ext = mask_key_parts(i["mask"])
                    files.append({"item": i, "path": _mask_path(i, ext), "sha256": sha256, "size": None, "mask": True, "accept": "*/*",
                                  "url": base + "/items/%s/mask" % urllib.parse.quote(i["item"], safe=""), "what": "the mask of item " + i["item"]})

        os.makedirs(dest, exist_ok=True)
        with open(os.path.join(dest, "manifest.jsonl"), "wb") as f:
            f.write(manifest)
        done = {"downloaded": 0, "alreadyPresent": 0, "bytes": 0, "count": 0}
        lock = threading.Lock()
        mismatched = []

        def fetch(i):
            target = os.path.join(dest, i["path"])
            if os.path.exists(target) and _sha256_of(target) == i["sha256"]:
                present = True
            else:
                present = False
                os.makedirs(os.path.dirname(target), exist_ok=True)
                tmp = "%s.part-%s" % (target, uuid.uuid4().hex[:8])

                def save(res):
                    digest = hashlib.sha256()
                    with open(tmp, "wb") as out:
                        for chunk in iter(lambda: res.read(1 << 20), b""):
                            digest.update(chunk)
                            out.write(chunk)
                    return digest.hexdigest()
                try:
                    got = self.request("GET", i["url"], headers={"Accept": i["accept"]}, sink=save, what="downloading " + i["what"])
                    if got != i["sha256"]:
                        with lock:
                            mismatched.append("%s (expected %s, got %s)" % (i["what"] if i.get("mask") else i["item"]["item"], i["sha256"], got))
                        return
                    os.replace(tmp, target)
                finally:
                    if os.path.exists(tmp):
                        os.remove(tmp)
            with lock:
                done["alreadyPresent" if present else "downloaded"] += 1
                done["bytes"] += i["size"] if i["size"] is not None else os.path.getsize(target)
                done["count"] += 1
                if progress:
                    progress(done["count"], len(files))

        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            for f in [pool.submit(fetch, i) for i in files]:
                f.result()
        if mismatched:
            raise CaliperError("CHECKSUM_MISMATCH", "%d item(s) of dataset version %s no longer hash to their manifest sha256 and were not kept: %s"
                               % (len(mismatched), version_id, "; ".join(sorted(mismatched)[:10])))
        with open(os.path.join(dest, "SHA256SUMS"), "w") as f:
            for i in files:
                f.write("%s  %s\n" % (i["sha256"], i["path"]))
        mask_files = {i["item"]["item"]: i["path"] for i in files if i.get("mask")}
        with open(os.path.join(dest, "labels.csv"), "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["item_key", "split", "label", "study_instance_uid", "series_instance_uid", "sop_instance_uid", "mask", "file", "mask_file"])
            for i in items:
                w.writerow([i["item"], i["split"], i["label"], i["study"], i["series"], i["sop"], i["mask"], _item_path(i), mask_files.get(i["item"], "")])
        return {"version": version, "manifestSha256": actual, "items": len(items), "masks": len(mask_files), "downloaded": done["downloaded"],
                "alreadyPresent": done["alreadyPresent"], "bytes": done["bytes"]}

    def resume_run(self, run_id, **logger_options):
        """A Run logging to an existing run (one a template launch created): nothing is created."""
        return Run(self, self.get_run(run_id), **logger_options)

    def start_run(self, project, experiment=None, name=None, params=None, tags=None, git_commit=None, git_repo=None, image_digest=None, **logger_options):
        body = {
            "experiment": experiment,
            "name": name,
            "params": [{"key": k, "value": str(v)} for k, v in (params or {}).items()],
            "tags": [{"key": k, "value": str(v)} for k, v in (tags or {}).items()],
            "gitCommit": git_commit,
            "gitRepo": git_repo,
            "imageDigest": image_digest,
        }
        body = {k: v for k, v in body.items() if v is not None}
        created = self.request("POST", "/api/v1/projects/%s/runs" % urllib.parse.quote(project, safe=""), body=body,
                               headers={"Idempotency-Key": str(uuid.uuid4())}, what="creating a run in project " + project)
        return Run(self, created["run"], **logger_options)


class Run:
    """One run being logged to. Use as a context manager to finish it (failed on an exception).

    system_metrics_interval: seconds between system metrics samples (None or 0: off, the default);
    system_metrics_sampler: anything with sample() -> {key: value}, by default a SystemMetricsSampler.
    """

    def __init__(self, client, run, max_batch_points=5000, flush_interval=2.0, max_buffered_points=100000, heartbeat_interval=30.0,
                 system_metrics_interval=None, system_metrics_sampler=None):
        if system_metrics_interval is not None and not (isinstance(system_metrics_interval, (int, float)) and system_metrics_interval >= 0):
            raise ValueError("system_metrics_interval must be a number of seconds >= 0 (0 or None: off), got %r" % (system_metrics_interval,))
        self.client = client
        self.info = run
        self.run_id = run["id"]
        self.max_batch_points = max_batch_points
        self.flush_interval = flush_interval
        self.max_buffered_points = max_buffered_points
        self.heartbeat_interval = heartbeat_interval
        self._buffer = []
        self._in_flight = 0
        # Points logged and points landed so far; one sender, first in first out.
        self._logged = 0
        self._landed = 0
        self._error = None
        self._closed = False
        self._cond = threading.Condition()
        self._last_heartbeat = time.monotonic()
        self._thread = threading.Thread(target=self._background, name="caliper-flush-" + self.run_id[:8], daemon=True)
        self._thread.start()
        self.system_metrics_interval = system_metrics_interval or 0
        self._system_stop = threading.Event()
        self._system_thread = None
        if self.system_metrics_interval > 0:
            sampler = system_metrics_sampler or SystemMetricsSampler()
            self._system_thread = threading.Thread(target=self._sample_system, args=(sampler,), name="caliper-system-" + self.run_id[:8], daemon=True)
            self._system_thread.start()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if self._closed:
            return False
        self.finish("failed" if exc_type else "finished")
        return False

    # Metrics: buffered, sent by the background thread.

    def log_metric(self, key, value, step=0, timestamp=None):
        """Buffers a point; blocks while max_buffered_points are waiting or in flight."""
        if not isinstance(key, str) or not key:
            raise ValueError("log_metric: key must be a non-empty string")
        point = {"key": key, "value": _wire_value(value), "step": int(step), "timestamp": int(timestamp if timestamp is not None else time.time() * 1000)}
        with self._cond:
            while not self._error and len(self._buffer) + self._in_flight >= self.max_buffered_points:
                self._cond.wait()
            self._raise_if_failed()
            if self._closed:
                raise CaliperError("RUN_CLOSED", "run %s is finished" % self.run_id)
            self._buffer.append(point)
            self._logged += 1
            if len(self._buffer) >= self.max_batch_points:
                self._cond.notify_all()

    def log_metrics(self, metrics, step=0, timestamp=None):
        ts = int(timestamp if timestamp is not None else time.time() * 1000)
        for key, value in metrics.items():
            self.log_metric(key, value, step, ts)

    def flush(self):
        """Blocks until every point logged before the call has landed; raises the first failure.

        Points logged meanwhile (the system metrics thread) do not keep it waiting."""
        with self._cond:
            self._cond.notify_all()
            target = self._logged
            while not self._error and self._landed < target:
                self._cond.wait(timeout=1.0)
                self._cond.notify_all()
            self._raise_if_failed()

    # Params and tags: sent at once, so their errors reach the caller's line.

    def log_param(self, key, value):
        self.log_params({key: value})

    def log_params(self, params):
        items = [{"key": k, "value": str(v)} for k, v in params.items()]
        for i in range(0, len(items), 100):
            self._send_batch({"metrics": [], "params": items[i:i + 100], "tags": []}, "logging params")

    def set_tag(self, key, value):
        self.set_tags({key: value})

    def set_tags(self, tags):
        items = [{"key": k, "value": str(v)} for k, v in tags.items()]
        for i in range(0, len(items), 100):
            self._send_batch({"metrics": [], "params": [], "tags": items[i:i + 100]}, "setting tags")

    def heartbeat(self):
        self.client.request("POST", "/api/v1/runs/%s/heartbeat" % self.run_id, idempotent=True, what="heartbeat")

    def use_dataset(self, version_id, context="training"):
        """Records that this run used a sealed dataset version (provenance: the model trained here walks back to it)."""
        return self.client.request("POST", "/api/v1/runs/%s/dataset-inputs" % self.run_id, body={"datasetVersionId": version_id, "context": context},
                                   idempotent=True, what="recording dataset version %s as an input" % version_id)

    def log_artifact(self, local_path, artifact_path=None):
        """Streams a file (never whole in memory) with its sha256, which the server verifies."""
        digest = hashlib.sha256()
        with open(local_path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
        size = os.path.getsize(local_path)
        target = artifact_path or os.path.basename(local_path)
        path = "/api/v1/runs/%s/artifacts/%s" % (self.run_id, urllib.parse.quote(target))
        headers = {"Content-Type": "application/octet-stream", "Content-Length": str(size), "X-Checksum-Sha256": digest.hexdigest()}
        result = self.client.request("PUT", path, headers=headers, data=lambda: open(local_path, "rb"), what="uploading %s as %s" % (local_path, target))
        return (result or {}).get("artifact", {"path": target, "size": size, "sha256": digest.hexdigest()})

    def finish(self, status="finished"):
        """Stops the system metrics, flushes what is buffered, stops the background thread and sets the final status."""
        self._stop_system_metrics()
        try:
            self.flush()
        finally:
            with self._cond:
                self._closed = True
                self._cond.notify_all()
            self._thread.join()
        body = {"status": status, "endTime": int(time.time() * 1000)}
        return self.client.request("PATCH", "/api/v1/runs/" + self.run_id, body=body, what="finishing run " + self.run_id)["run"]

    # System metrics thread: one sample every system_metrics_interval seconds, step = the sample's index.

    def _sample_system(self, sampler):
        step = 0
        while not self._system_stop.wait(self.system_metrics_interval):
            try:
                values = sampler.sample()
            except Exception:  # noqa: BLE001 - a sampling failure must never break the training script
                continue
            if not values:
                continue
            try:
                self.log_metrics(values, step=step)
            except CaliperError:
                # The run is finished, or sending failed: the training script's next call raises that.
                return
            step += 1

    def _stop_system_metrics(self):
        self._system_stop.set()
        if self._system_thread is not None and self._system_thread is not threading.current_thread():
            self._system_thread.join()

    # Background thread: cuts batches by size or time, sends them, and beats the heart.

    def _raise_if_failed(self):
        if self._error:
            raise self._error

    def _background(self):
        while True:
            with self._cond:
                deadline = time.monotonic() + self.flush_interval
                while not self._closed and len(self._buffer) < self.max_batch_points and not self._error:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0 or self._heartbeat_due():
                        break
                    # flush() and a full buffer notify: send what there is now, not at the interval.
                    if self._cond.wait(timeout=min(remaining, 1.0)) and self._buffer:
                        break
                if self._error or (self._closed and not self._buffer):
                    return
                batch = self._buffer[:self.max_batch_points]
                del self._buffer[:self.max_batch_points]
                self._in_flight = len(batch)
            try:
                if batch:
                    self._send_batch({"metrics": batch}, "sending %d metric points" % len(batch))
                    with self._cond:
                        self._landed += len(batch)
                if self.heartbeat_interval and self._heartbeat_due():
                    self._last_heartbeat = time.monotonic()
                    self.heartbeat()
            except CaliperError as err:
                with self._cond:
                    self._error = err
            finally:
                with self._cond:
                    self._in_flight = 0
                    self._cond.notify_all()

    def _heartbeat_due(self):
        return bool(self.heartbeat_interval) and time.monotonic() - self._last_heartbeat >= self.heartbeat_interval

    def _send_batch(self, body, what):
        # The key is fixed before the first attempt: the server stores a repeated batch once.
        headers = {"Idempotency-Key": str(uuid.uuid4())}
        self.client.request("POST", "/api/v1/runs/%s/batch" % self.run_id, body=body, headers=headers, idempotent=True, what="%s to run %s" % (what, self.run_id))


_SAFE_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,199}$")
# Where Caliper stores a mask: under its own sha256, with its format's extension.
_MASK_KEY = re.compile(r"/masks/([0-9a-f]{64})\.(png|nii|nii\.gz|dcm)$")


def mask_key_parts(key):
    """(sha256, extension) of a mask's object key (`…/masks/<sha256>.<ext>`); BAD_MANIFEST for any other key."""
    m = _MASK_KEY.search(key or "")
    if not m:
        raise CaliperError("BAD_MANIFEST", "mask key %r does not name its sha256 (expected …/masks/<sha256>.<png|nii|nii.gz|dcm>)" % (key,))
    return m.group(1), m.group(2)


def _item_path(i):
    return os.path.join(i["split"] or "unsplit", i["item"] + ".dcm")


def _mask_path(i, ext):
    return os.path.join(i["split"] or "unsplit", "%s.mask.%s" % (i["item"], ext))


def _sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download_dataset(version_id, dest, split=None, url=None, token=None, **kwargs):
    """Client(url, token).download_dataset(...), configured from the arguments or CALIPER_URL / CALIPER_TOKEN."""
    return Client(url, token).download_dataset(version_id, dest, split=split, **kwargs)


def start_run(project, experiment=None, url=None, token=None, **kwargs):
    """Creates a run with the client configured from the arguments or CALIPER_URL / CALIPER_TOKEN."""
    return Client(url, token).start_run(project, experiment=experiment, **kwargs)


def launched_run(run_id=None, url=None, token=None, **kwargs):
    """The run a template launch created for this job, to log to and finish (nothing new is created).

    Its id from the argument or CALIPER_RUN_ID (MLFLOW_RUN_ID also counts), the API and the run's
    token from CALIPER_URL / CALIPER_TOKEN, which the executor sets; NOT_LAUNCHED when there is no id.
    Takes the Run's options (system_metrics_interval, ...).
    """
    run_id = run_id or os.environ.get("CALIPER_RUN_ID") or os.environ.get("MLFLOW_RUN_ID")
    if not run_id:
        raise CaliperError("NOT_LAUNCHED", "no run to log to: CALIPER_RUN_ID is not set (a job launched from a run template has it; give run_id, or use start_run)")
    return Client(url, token).resume_run(run_id, **kwargs)


if __name__ == "__main__":
    import argparse
    import sys

    parser = argparse.ArgumentParser(description="Caliper's Python client. CALIPER_URL and CALIPER_TOKEN give the API and a token.")
    commands = parser.add_subparsers(dest="command", required=True)
    dl = commands.add_parser("download", help="download a sealed dataset version (or one split) with every checksum verified")
    dl.add_argument("version_id")
    dl.add_argument("dest")
    dl.add_argument("--split", choices=["train", "val", "test"])
    dl.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    try:
        summary = download_dataset(args.version_id, args.dest, split=args.split, workers=args.workers,
                                   progress=lambda d, t: print("\r%d/%d items" % (d, t), end="", file=sys.stderr, flush=True))
    except CaliperError as err:
        print("\n" + err.message, file=sys.stderr)
        sys.exit(1)
    print("", file=sys.stderr)
    print(json.dumps({k: v for k, v in summary.items() if k != "version"}))
