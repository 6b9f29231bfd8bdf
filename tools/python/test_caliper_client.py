"""Unit tests of caliper_client: the system metrics' pure parsers, the sampler on a fake /proc and
fake nvidia-smi, the sampling thread of a Run, mask keys, and attaching to a launched run (with a
client that records requests, no server).

    python3 -m unittest discover -s tools/python -p 'test_*.py'
"""

import os
import stat
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import caliper_client as cc  # noqa: E402

STAT = """cpu  100 20 30 800 50 5 5 10 40 2
cpu0 50 10 15 400 25 2 3 5 20 1
cpu1 50 10 15 400 25 3 2 5 20 1
intr 12345 0 0
ctxt 999
"""

MEMINFO = """MemTotal:       16384000 kB
MemFree:         2048000 kB
MemAvailable:    4096000 kB
Buffers:          512000 kB
Cached:          1024000 kB
HugePages_Total:       0
"""


class ParseProcStat(unittest.TestCase):
    def test_idle_counts_iowait_and_total_leaves_out_guest_time(self):
        # user nice system idle iowait irq softirq steal | guest guest_nice (already in user/nice)
        self.assertEqual(cc.parse_proc_stat(STAT), (800 + 50, 100 + 20 + 30 + 800 + 50 + 5 + 5 + 10))

    def test_old_kernels_with_fewer_columns(self):
        self.assertEqual(cc.parse_proc_stat("cpu 10 0 10 80\n"), (80, 100))

    def test_no_aggregate_line(self):
        self.assertIsNone(cc.parse_proc_stat("cpu0 1 2 3 4\n"))
        self.assertIsNone(cc.parse_proc_stat(""))


class CpuUtilization(unittest.TestCase):
    def test_busy_share_of_the_elapsed_time(self):
        self.assertAlmostEqual(cc.cpu_utilization((800, 1000), (850, 1200)), 75.0)
        self.assertEqual(cc.cpu_utilization((800, 1000), (900, 1100)), 0.0)
        self.assertEqual(cc.cpu_utilization((800, 1000), (800, 1100)), 100.0)

    def test_no_elapsed_time_or_a_counter_going_backwards(self):
        self.assertEqual(cc.cpu_utilization((800, 1000), (800, 1000)), 0.0)
        self.assertEqual(cc.cpu_utilization((800, 1000), (10, 20)), 0.0)
        self.assertEqual(cc.cpu_utilization((800, 1000), (700, 1100)), 100.0)  # idle went backwards: clamped


class ParseMeminfo(unittest.TestCase):
    def test_in_use_is_total_minus_available(self):
        values = cc.parse_meminfo(MEMINFO)
        self.assertEqual(set(values), {"system/system_memory_usage_megabytes", "system/system_memory_usage_percentage"})
        self.assertAlmostEqual(values["system/system_memory_usage_megabytes"], (16384000 - 4096000) / 1024)
        self.assertAlmostEqual(values["system/system_memory_usage_percentage"], 75.0)

    def test_without_memavailable_free_buffers_and_cached_are_available(self):
        text = "\n".join(l for l in MEMINFO.splitlines() if not l.startswith("MemAvailable"))
        self.assertAlmostEqual(cc.parse_meminfo(text)["system/system_memory_usage_megabytes"], (16384000 - 2048000 - 512000 - 1024000) / 1024)

    def test_without_a_total(self):
        self.assertEqual(cc.parse_meminfo("MemFree: 10 kB\n"), {})
        self.assertEqual(cc.parse_meminfo(""), {})


class ParseNvidiaSmi(unittest.TestCase):
    def test_one_set_of_keys_per_gpu_in_index_order(self):
        values = cc.parse_nvidia_smi("87, 30000, 81920\n3, 512, 81920\n")
        self.assertEqual(values, {
            "system/gpu_0_utilization_percentage": 87.0,
            "system/gpu_0_memory_usage_megabytes": 30000.0,
            "system/gpu_0_memory_usage_percentage": 100.0 * 30000 / 81920,
            "system/gpu_1_utilization_percentage": 3.0,
            "system/gpu_1_memory_usage_megabytes": 512.0,
            "system/gpu_1_memory_usage_percentage": 100.0 * 512 / 81920,
        })

    def test_a_gpu_without_numbers_is_left_out_and_the_others_keep_their_index(self):
        values = cc.parse_nvidia_smi("[N/A], 100, 1000\n\n50, 200, 1000\n")
        self.assertEqual(sorted(values), ["system/gpu_1_memory_usage_megabytes", "system/gpu_1_memory_usage_percentage", "system/gpu_1_utilization_percentage"])

    def test_garbage_and_zero_totals(self):
        self.assertEqual(cc.parse_nvidia_smi(""), {})
        self.assertEqual(cc.parse_nvidia_smi("No devices were found\n"), {})
        self.assertEqual(cc.parse_nvidia_smi("1, 2\n"), {})
        self.assertEqual(cc.parse_nvidia_smi("nan, 2, 3\n"), {})
        self.assertEqual(cc.parse_nvidia_smi("10, 0, 0\n")["system/gpu_0_memory_usage_percentage"], 0.0)


class Sampler(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.proc = os.path.join(self.dir.name, "proc")
        os.mkdir(self.proc)
        self.write("stat", "cpu 100 0 100 800 0 0 0 0\n")
        self.write("meminfo", MEMINFO)

    def tearDown(self):
        self.dir.cleanup()

    def write(self, name, text):
        with open(os.path.join(self.proc, name), "w") as f:
            f.write(text)

    def script(self, body):
        path = os.path.join(self.dir.name, "nvidia-smi")
        with open(path, "w") as f:
            f.write("#!/bin/sh\n" + body + "\n")
        os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
        return path

    def test_cpu_since_the_previous_sample_and_memory(self):
        sampler = cc.SystemMetricsSampler(proc=self.proc, nvidia_smi=None)
        self.write("stat", "cpu 150 0 150 900 0 0 0 0\n")  # 100 busy of 200
        first = sampler.sample()
        self.assertAlmostEqual(first["system/cpu_utilization_percentage"], 50.0)
        self.assertAlmostEqual(first["system/system_memory_usage_percentage"], 75.0)
        self.write("stat", "cpu 150 0 150 1000 0 0 0 0\n")  # all idle since
        self.assertEqual(sampler.sample()["system/cpu_utilization_percentage"], 0.0)

    def test_gpus_from_nvidia_smi_with_the_query_it_was_given(self):
        args = os.path.join(self.dir.name, "args")
        nvidia_smi = self.script('echo "$@" > %s\necho "42, 1024, 4096"' % args)
        values = cc.SystemMetricsSampler(proc=self.proc, nvidia_smi=nvidia_smi).sample()
        self.assertEqual(values["system/gpu_0_utilization_percentage"], 42.0)
        self.assertEqual(values["system/gpu_0_memory_usage_megabytes"], 1024.0)
        self.assertEqual(values["system/gpu_0_memory_usage_percentage"], 25.0)
        with open(args) as f:
            self.assertEqual(f.read().split(), cc.NVIDIA_SMI_QUERY)

    def test_what_the_machine_lacks_is_left_out_without_an_error(self):
        failing = self.script('echo "NVIDIA-SMI has failed" >&2\nexit 9')
        for nvidia_smi in (None, failing, os.path.join(self.dir.name, "missing-nvidia-smi")):
            keys = set(cc.SystemMetricsSampler(proc=self.proc, nvidia_smi=nvidia_smi).sample())
            self.assertEqual(keys, {"system/cpu_utilization_percentage", "system/system_memory_usage_megabytes", "system/system_memory_usage_percentage"})
        hanging = self.script("sleep 5")
        started = time.monotonic()
        self.assertNotIn("system/gpu_0_utilization_percentage", cc.SystemMetricsSampler(proc=self.proc, nvidia_smi=hanging, timeout=0.2).sample())
        self.assertLess(time.monotonic() - started, 3)
        self.assertEqual(cc.SystemMetricsSampler(proc=os.path.join(self.dir.name, "no-proc"), nvidia_smi=None).sample(), {})

    def test_the_default_finds_nvidia_smi_on_path(self):
        self.script('echo "1, 2, 4"')
        old = os.environ["PATH"]
        os.environ["PATH"] = self.dir.name + os.pathsep + old
        try:
            self.assertEqual(cc.SystemMetricsSampler(proc=self.proc).sample()["system/gpu_0_memory_usage_percentage"], 50.0)
        finally:
            os.environ["PATH"] = old


class RecordingClient:
    """Stands in for the HTTP side: records every batch and answers as the API would."""

    def __init__(self):
        self.points = []
        self.lock = threading.Lock()

    def request(self, method, path, body=None, **kwargs):
        if method == "POST" and path.endswith("/batch"):
            with self.lock:
                self.points.extend((body or {}).get("metrics", []))
            return {}
        if method == "PATCH":
            return {"run": {"id": "r" * 32, "status": body["status"]}}
        return {}


class ScriptedSampler:
    """Returns 50.0, fails once, returns nothing once, then counts up."""

    def __init__(self):
        self.calls = 0

    def sample(self):
        self.calls += 1
        if self.calls == 2:
            raise OSError("transient")
        if self.calls == 3:
            return {}
        return {"system/cpu_utilization_percentage": 50.0, "system/system_memory_usage_megabytes": float(self.calls)}


class RunSampling(unittest.TestCase):
    def start(self, **options):
        client = RecordingClient()
        run = cc.Run(client, {"id": "r" * 32}, flush_interval=0.05, heartbeat_interval=0, **options)
        return client, run

    def test_samples_every_interval_with_consecutive_steps_until_the_run_finishes(self):
        sampler = ScriptedSampler()
        client, run = self.start(system_metrics_interval=0.05, system_metrics_sampler=sampler)
        started_ms = time.time() * 1000
        run.log_metric("loss", 1.0, 0)
        deadline = time.monotonic() + 10
        while sampler.calls < 6 and time.monotonic() < deadline:
            time.sleep(0.02)
        run.finish()
        finished_ms = time.time() * 1000
        self.assertFalse(run._system_thread.is_alive())
        calls = sampler.calls
        time.sleep(0.2)
        self.assertEqual(sampler.calls, calls, "no sampling after finish")

        cpu = [p for p in client.points if p["key"] == "system/cpu_utilization_percentage"]
        memory = [p for p in client.points if p["key"] == "system/system_memory_usage_megabytes"]
        self.assertGreaterEqual(len(cpu), 4)
        # The failed and the empty sample take no step: steps are the index of the samples logged.
        self.assertEqual([p["step"] for p in cpu], list(range(len(cpu))))
        self.assertEqual([p["step"] for p in memory], list(range(len(cpu))))
        self.assertEqual([p["value"] for p in memory][:2], [1.0, 4.0])
        for p in cpu:
            self.assertIsInstance(p["timestamp"], int)
            self.assertTrue(started_ms - 1 <= p["timestamp"] <= finished_ms + 1)
        self.assertEqual([p["timestamp"] for p in cpu], sorted(p["timestamp"] for p in cpu))
        self.assertIn({"key": "loss", "value": 1.0, "step": 0, "timestamp": client.points[0]["timestamp"]}, client.points)

    def test_flush_returns_once_earlier_points_landed_though_sampling_outpaces_the_round_trip(self):
        """Every batch takes 50 ms and a sample comes every 5 ms: a flush waiting for an empty buffer never returned."""

        class SlowClient(RecordingClient):
            def request(self, method, path, body=None, **kwargs):
                if method == "POST" and path.endswith("/batch"):
                    time.sleep(0.05)
                return RecordingClient.request(self, method, path, body, **kwargs)

        client = SlowClient()
        run = cc.Run(client, {"id": "r" * 32}, flush_interval=0.01, heartbeat_interval=0, system_metrics_interval=0.005,
                     system_metrics_sampler=ScriptedSampler())
        time.sleep(0.05)
        run.log_metric("loss", 0.5, 7, 1000)
        done = threading.Event()
        threading.Thread(target=lambda: (run.flush(), done.set()), daemon=True).start()
        self.assertTrue(done.wait(5), "flush did not return while sampling went on")
        self.assertIn({"key": "loss", "value": 0.5, "step": 7, "timestamp": 1000}, client.points)
        run.finish()

    def test_off_by_default_and_with_zero(self):
        for options in ({}, {"system_metrics_interval": 0}, {"system_metrics_interval": None}):
            client, run = self.start(**options)
            self.assertIsNone(run._system_thread)
            run.finish()

    def test_a_bad_interval_is_refused(self):
        for bad in (-1, "10", float("nan")):
            with self.assertRaisesRegex(ValueError, "system_metrics_interval must be a number of seconds"):
                cc.Run(RecordingClient(), {"id": "r" * 32}, system_metrics_interval=bad)


class MaskKeys(unittest.TestCase):
    def test_a_mask_key_names_its_sha256_and_format(self):
        sha = "ab" * 32
        self.assertEqual(cc.mask_key_parts("datasets/d1/masks/%s.png" % sha), (sha, "png"))
        self.assertEqual(cc.mask_key_parts("datasets/d1/masks/%s.nii.gz" % sha), (sha, "nii.gz"))
        self.assertEqual(cc.mask_key_parts("datasets/d1/masks/%s.dcm" % sha), (sha, "dcm"))

    def test_any_other_key_is_a_bad_manifest(self):
        for bad in ("datasets/d1/masks/abc.png", "datasets/d1/other/%s.png" % ("ab" * 32), "datasets/d1/masks/%s.jpg" % ("ab" * 32), "", None):
            with self.assertRaises(cc.CaliperError) as caught:
                cc.mask_key_parts(bad)
            self.assertEqual(caught.exception.code, "BAD_MANIFEST")


class LaunchedRun(unittest.TestCase):
    """launched_run() attaches to the run a template launch made, from the executor's variables."""

    def setUp(self):
        self.saved = {k: os.environ.get(k) for k in ("CALIPER_RUN_ID", "MLFLOW_RUN_ID", "CALIPER_URL", "CALIPER_TOKEN")}
        for k in self.saved:
            os.environ.pop(k, None)
        self.requests = []
        test = self

        def request(client, method, path, body=None, **kwargs):
            test.requests.append((method, path, client.url, client.token))
            if method == "GET":
                return {"run": {"id": path.rsplit("/", 1)[1], "status": "running", "params": {"lr": "0.001"}}}
            return {"run": {"id": "x", "status": body["status"]}} if method == "PATCH" else {}
        self.patched = cc.Client.request
        cc.Client.request = request

    def tearDown(self):
        cc.Client.request = self.patched
        for k, v in self.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

    def test_reads_the_run_the_launch_made_and_creates_none(self):
        os.environ.update(CALIPER_RUN_ID="a" * 32, CALIPER_URL="http://caliper:3000/", CALIPER_TOKEN="clp_run")
        run = cc.launched_run(heartbeat_interval=0)
        self.assertEqual(run.run_id, "a" * 32)
        self.assertEqual(run.info["params"], {"lr": "0.001"})
        run.finish()
        self.assertEqual([r[:2] for r in self.requests], [("GET", "/api/v1/runs/" + "a" * 32), ("PATCH", "/api/v1/runs/" + "a" * 32)])
        self.assertEqual(self.requests[0][2:], ("http://caliper:3000", "clp_run"))

    def test_mlflows_variable_counts_and_an_argument_wins(self):
        os.environ.update(MLFLOW_RUN_ID="b" * 32, CALIPER_URL="http://caliper", CALIPER_TOKEN="t")
        self.assertEqual(cc.launched_run(heartbeat_interval=0).run_id, "b" * 32)
        self.assertEqual(cc.launched_run("c" * 32, heartbeat_interval=0).run_id, "c" * 32)

    def test_outside_a_launched_job_it_says_so(self):
        os.environ.update(CALIPER_URL="http://caliper", CALIPER_TOKEN="t")
        with self.assertRaises(cc.CaliperError) as caught:
            cc.launched_run()
        self.assertEqual(caught.exception.code, "NOT_LAUNCHED")
        self.assertIn("CALIPER_RUN_ID", caught.exception.message)
        self.assertEqual(self.requests, [])


if __name__ == "__main__":
    unittest.main()
