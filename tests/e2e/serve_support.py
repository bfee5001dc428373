"""Shared by the Python e2e tests of `privet serve` (standard library only): a scratch
deployment built with the real CLI, the service as a child process on a kernel-chosen loopback
port, and HTTPS calls that trust only the deployment's certificate."""

import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import tempfile


class Deployment:
    """A deployment folder: a signing key, a self-signed loopback certificate, server.json, and
    the users given. `register` (epsilon, delta, further `dataset register` options; default
    epsilon 3, delta 1e-6) registers the shipped covid_testing config with the CLI; None
    registers nothing."""

    def __init__(self, privet, source_dir, users, server=None, register=("3", "1e-6")):
        self.privet = privet
        self.source_dir = source_dir
        self.root = tempfile.mkdtemp(prefix="privet-serve-py-")
        self.log = os.path.join(self.root, "test.log")
        os.makedirs(os.path.join(self.root, "tls"))
        self.run("keygen", "--out", os.path.join(self.root, "keys"))
        if register:
            self.run("dataset", "register", "--config",
                     os.path.join(source_dir, "configs", "covid_testing.json"),
                     "--ledger", self.ledger, "--epsilon", register[0], "--delta", register[1],
                     "--owner", "office", *register[2:])
        subprocess.run(
            ["bash", os.path.join(source_dir, "tests", "e2e", "make_test_certificate.sh"),
             os.path.join(self.root, "tls", "key.pem"), self.certificate],
            check=True, capture_output=True)
        config = {"port": 0, "tls_certificate": "tls/cert.pem", "tls_key": "tls/key.pem",
                  "auto_approve_epsilon": 0.5, "workers": 2, "auth_failure_limit": 1000}
        config.update(server or {})
        with open(os.path.join(self.root, "server.json"), "w", encoding="utf-8") as handle:
            json.dump(config, handle)
        self.tokens = {}
        for name, role in users.items():
            out = self.run("user", "add", name, "--role", role, "--deployment", self.root)
            self.tokens[name] = out.splitlines()[0]

    @property
    def ledger(self):
        return os.path.join(self.root, "privet-ledger.db")

    @property
    def certificate(self):
        return os.path.join(self.root, "tls", "cert.pem")

    def run(self, *args, check=True):
        """Runs `privet ARGS`; returns stdout. AssertionError (with stderr) on a non-zero exit
        when check."""
        done = subprocess.run([self.privet, *args], capture_output=True, text=True)
        with open(self.log, "a", encoding="utf-8") as log:
            log.write("$ privet " + " ".join(args) + "\n" + done.stderr)
        if check and done.returncode != 0:
            raise AssertionError(f"privet {' '.join(args)} exited {done.returncode}: "
                                 f"{done.stderr}")
        return done.stdout if check else done

    def cleanup(self):
        shutil.rmtree(self.root, ignore_errors=True)


class Server:
    """`privet serve` on the deployment; stop() (SIGTERM) or kill() (SIGKILL) ends it."""

    def __init__(self, deployment):
        self.deployment = deployment
        self.stderr = open(os.path.join(deployment.root, "serve.log"), "a", encoding="utf-8")
        self.process = subprocess.Popen(
            [deployment.privet, "serve", "--deployment", deployment.root],
            stdout=subprocess.PIPE, stderr=self.stderr, text=True)
        line = self.process.stdout.readline()  # EOF (empty) means it refused to start
        match = re.search(r"listening on https://127\.0\.0\.1:(\d+)", line)
        if not match:
            self.process.wait()
            self.stderr.close()
            with open(os.path.join(deployment.root, "serve.log"), encoding="utf-8") as log:
                raise AssertionError("privet serve did not start: " + log.read())
        self.port = int(match.group(1))
        self.context = ssl.create_default_context(cafile=deployment.certificate)

    def call(self, method, path, token=None, body=None, raw_body=None):
        """One HTTPS call. Returns (status, headers dict with lower-case names, body bytes)."""
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context,
                                                 timeout=120)
        headers = {}
        if token:
            headers["Authorization"] = "Bearer " + token
        data = raw_body
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if data is None and method in ("POST", "PUT"):
            data = b""
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            content = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, content
        finally:
            connection.close()

    def json(self, method, path, token=None, body=None, expect=None):
        """A call whose answer is JSON: returns (status, parsed). With `expect`, asserts the
        status."""
        status, _, content = self.call(method, path, token, body)
        parsed = json.loads(content) if content else None
        if expect is not None:
            assert status == expect, f"{method} {path}: {status} {content[:500]!r}"
        return status, parsed

    def _end(self, signal_number):
        if self.process.poll() is None:
            self.process.send_signal(signal_number)
        code = self.process.wait()
        self.process.stdout.close()
        self.stderr.close()
        return code

    def stop(self):
        return self._end(signal.SIGTERM)

    def kill(self):
        return self._end(signal.SIGKILL)


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()
