"""A client of privet's custodian service (`privet serve`, docs/api.md), standard library only.

    from privet_client import PrivetClient
    client = PrivetClient("https://127.0.0.1:8443", token_file="rita.token",
                          cafile="cert.pem")
    request = client.submit("covid_testing", "marginal", epsilon=0.25,
                            purpose="testing-site planning",
                            options={"attributes": ["gender", "result"]})
    folder = client.download(client.wait(request["id"])["id"], "release")

`download` returns the folder; `read_table` returns a pandas DataFrame of a released CSV when
pandas is installed, else the folder's path to that CSV. Errors of the service raise
PrivetError with its stable code (docs/api.md, "Errors").
"""

import json
import os
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request

__all__ = ["PrivetClient", "PrivetError"]


class PrivetError(Exception):
    """An error answer of the service: HTTP status, stable code and message."""

    def __init__(self, status, code, message):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class PrivetClient:
    """One user's view of a deployment. The token is sent as `Authorization: Bearer`."""

    def __init__(self, url, token=None, token_file=None, cafile=None, timeout=60):
        if (token is None) == (token_file is None):
            raise ValueError("give exactly one of token and token_file")
        if token_file is not None:
            with open(token_file, encoding="utf-8") as handle:
                token = handle.read().strip()
        if not url.startswith("https://"):
            raise ValueError("the service speaks HTTPS only: the url must start with https://")
        self._url = url.rstrip("/")
        self._token = token
        self._timeout = timeout
        self._context = ssl.create_default_context(cafile=cafile)

    def _call(self, method, path, body=None, raw=False):
        data = None if body is None else json.dumps(body).encode("utf-8")
        if data is None and method in ("POST", "PUT"):
            data = b""  # the service wants a Content-Length on every POST and PUT
        request = urllib.request.Request(self._url + path, data=data, method=method)
        request.add_header("Authorization", "Bearer " + self._token)
        if body is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, context=self._context,
                                        timeout=self._timeout) as answer:
                content = answer.read()
        except urllib.error.HTTPError as error:
            content = error.read()
            try:
                detail = json.loads(content)["error"]
                raise PrivetError(error.code, detail["code"], detail["message"]) from None
            except (ValueError, KeyError, TypeError):
                raise PrivetError(error.code, "http", content.decode("utf-8", "replace")) from None
        return content if raw else json.loads(content)

    # Researcher
    def datasets(self):
        return self._call("GET", "/v1/datasets")["datasets"]

    def plan(self, dataset, epsilon, delta=None, options=None, kind=None):
        """The plan and budget preview of a request (kind: synthesize, the default, marginal or
        correlation); plan["budget"]["decision"] is "refused" when the request would be."""
        body = {"dataset": dataset, "epsilon": epsilon}
        if kind is not None:
            body["kind"] = kind
        if delta is not None:
            body["delta"] = delta
        if options:
            body["options"] = options
        return self._call("POST", "/v1/plan", body)["plan"]

    def submit(self, dataset, kind, epsilon, purpose, delta=None, options=None):
        body = {"dataset": dataset, "kind": kind, "epsilon": epsilon, "purpose": purpose}
        if delta is not None:
            body["delta"] = delta
        if options:
            body["options"] = options
        return self._call("POST", "/v1/requests", body)

    def request(self, request_id):
        return self._call("GET", "/v1/requests/" + urllib.parse.quote(request_id, safe=""))

    def requests(self, state=None):
        query = "" if state is None else "?state=" + urllib.parse.quote(state, safe="")
        return self._call("GET", "/v1/requests" + query)["requests"]

    def wait(self, request_id, poll_seconds=0.5, timeout_seconds=None):
        """Polls until the request is released, failed or denied; returns its record.
        Raises PrivetError (code "request_failed"/"request_denied") unless released."""
        deadline = None if timeout_seconds is None else time.monotonic() + timeout_seconds
        while True:
            record = self.request(request_id)
            if record["state"] == "released":
                return record
            if record["state"] in ("failed", "denied"):
                error = record.get("error") or {}
                raise PrivetError(409, "request_" + record["state"],
                                  error.get("message", record.get("decision_note") or ""))
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"request {request_id} is still {record['state']}")
            time.sleep(poll_seconds)

    def download(self, request_id, out_dir):
        """Downloads every file of a released request into out_dir; returns out_dir."""
        record = self.request(request_id)
        os.makedirs(out_dir, exist_ok=True)
        for name in record["files"]:
            if os.path.basename(name) != name or name in ("", ".", ".."):
                raise PrivetError(500, "bad_file_name", "the service listed " + repr(name))
            content = self._call("GET", "/v1/requests/" + urllib.parse.quote(request_id, safe="")
                                 + "/files/" + urllib.parse.quote(name, safe=""), raw=True)
            with open(os.path.join(out_dir, name), "wb") as handle:
                handle.write(content)
        return out_dir

    @staticmethod
    def read_table(folder, name=None):
        """A released CSV as a pandas DataFrame when pandas is installed, else its path."""
        if name is None:
            names = sorted(n for n in os.listdir(folder) if n.endswith(".csv"))
            if not names:
                raise FileNotFoundError(f"no CSV in {folder}")
            name = names[0]
        path = os.path.join(folder, name)
        try:
            import pandas  # noqa: PLC0415 (optional dependency)
        except ImportError:
            return path
        return pandas.read_csv(path)

    def public_key(self):
        return self._call("GET", "/v1/public-key", raw=True).decode("ascii")

    # Officer
    def approve(self, request_id, note=None):
        return self._call("POST", f"/v1/requests/{urllib.parse.quote(request_id, safe='')}/approve",
                          {"note": note} if note else None)

    def deny(self, request_id, note=None):
        return self._call("POST", f"/v1/requests/{urllib.parse.quote(request_id, safe='')}/deny",
                          {"note": note} if note else None)

    def acknowledge_incident(self, incident_id, note=None):
        """Acknowledges one incident; returns {"incident", "open_incidents"}."""
        return self._call("POST", "/v1/incidents/" + urllib.parse.quote(incident_id, safe="")
                          + "/ack", {} if note is None else {"note": note})

    def set_policy(self, auto_approve_epsilon):
        return self._call("PUT", "/v1/policy", {"auto_approve_epsilon": auto_approve_epsilon})

    def verify_ledger(self):
        return self._call("GET", "/v1/ledger/verify")

    # Auditor
    def attestations(self):
        return self._call("GET", "/v1/attestations")["attestations"]

    def export_ledger(self):
        return self._call("GET", "/v1/ledger/export")
