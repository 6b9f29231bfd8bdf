"""
The stock mlflow client's log_metric on the wire, one call at a time: what mlflow 2.10.2's
RestStore sends (tracking/_tracking_service + utils/rest_utils.http_request), through the same
HTTP stack (a requests Session with urllib3 retries, keep-alive), with the same JSON body. The
mlflow package itself is not installable here (no PyPI); its per-call cost over this stack is
the client's own, the same for any server.

Usage: client.py BASE_URL TOKEN RUN_ID CALLS  → prints one JSON line {"ms": [per-call ms …]}
"""
import json
import sys
import time

import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry


def session() -> requests.Session:
    # rest_utils._get_request_session: retries with backoff on 429/5xx, as the stock client mounts them.
    retry = Retry(total=7, connect=7, read=7, redirect=7, status=7, status_forcelist=[429, 500, 502, 503, 504], backoff_factor=2, allowed_methods=frozenset(["GET", "POST"]))
    s = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    return s


def main() -> None:
    base, token, run_id, calls = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    s = session()
    headers = {"User-Agent": "mlflow-python-client/2.10.2", "Authorization": f"Bearer {token}"}
    url = f"{base}/api/2.0/mlflow/runs/log-metric"
    out = []
    for step in range(calls):
        body = {"run_uuid": run_id, "key": "loss", "value": 1.0 / (step + 1), "timestamp": int(time.time() * 1000), "step": step, "run_id": run_id}
        started = time.perf_counter()
        r = s.post(url, json=body, headers=headers, timeout=120, verify=True)
        if r.status_code != 200:
            raise SystemExit(f"log-metric answered {r.status_code}: {r.text}")
        r.json()
        out.append((time.perf_counter() - started) * 1000)
    print(json.dumps({"ms": out}))


if __name__ == "__main__":
    main()
