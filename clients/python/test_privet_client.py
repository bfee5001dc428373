"""Tests of privet_client.py against a real `privet serve` (started by
tests/e2e/python_client_test.sh, which passes the deployment through the environment)."""

import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from privet_client import PrivetClient, PrivetError  # noqa: E402


class PrivetClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.url = os.environ["PRIVET_URL"]
        cls.deployment = os.environ["PRIVET_DEPLOYMENT"]
        cls.cafile = os.path.join(cls.deployment, "tls", "cert.pem")

    def client(self, user):
        return PrivetClient(self.url, token_file=os.path.join(self.deployment, user + ".token"),
                            cafile=self.cafile)

    def test_marginal_end_to_end_verifies(self):
        rita = self.client("rita")
        self.assertEqual([d["id"] for d in rita.datasets()], ["covid_testing"])
        plan = rita.plan("covid_testing", 0.2, kind="marginal", options={"attributes": ["result"]})
        self.assertEqual(plan["event"]["query"], "query marginal(result)")
        self.assertEqual(plan["budget"]["decision"], "accepted")
        request = rita.submit("covid_testing", "marginal", epsilon=0.2, purpose="client test",
                              options={"attributes": ["result"]})
        self.assertEqual(request["requester"], "rita")
        record = rita.wait(request["id"], poll_seconds=0.1)
        with tempfile.TemporaryDirectory() as folder:
            out = rita.download(record["id"], os.path.join(folder, "release"))
            self.assertEqual(sorted(os.listdir(out)),
                             ["attestation.dsse.json", "marginal.csv", "marginal.json"])
            key = os.path.join(folder, "privet-signing.pub")
            with open(key, "w", encoding="ascii") as handle:
                handle.write(rita.public_key())
            verified = subprocess.run([os.environ["PRIVET_BINARY"], "verify",
                                       os.path.join(out, "attestation.dsse.json"), "--key", key],
                                      capture_output=True, check=False)
            self.assertEqual(verified.returncode, 0, verified.stdout + verified.stderr)
            table = PrivetClient.read_table(out)
            try:
                import pandas  # noqa: F401,PLC0415
                self.assertEqual(list(table.columns), ["result", "noisy_count"])
            except ImportError:
                self.assertTrue(str(table).endswith("marginal.csv"))

    def test_errors_carry_the_stable_code(self):
        rita = self.client("rita")
        with self.assertRaises(PrivetError) as caught:
            rita.export_ledger()
        self.assertEqual((caught.exception.status, caught.exception.code), (403, "forbidden"))
        with self.assertRaises(PrivetError) as caught:
            rita.submit("covid_testing", "marginal", epsilon=-1, purpose="x",
                        options={"attributes": ["result"]})
        self.assertEqual(caught.exception.code, "invalid_field")
        with self.assertRaises(PrivetError) as caught:
            self.client("olivia").acknowledge_incident("0badc0de", note="none")
        self.assertEqual((caught.exception.status, caught.exception.code), (404, "not_found"))

    def test_pending_request_approved_by_the_officer(self):
        rita, olivia = self.client("rita"), self.client("olivia")
        request = rita.submit("covid_testing", "marginal", epsilon=0.75, purpose="needs review",
                              options={"attributes": ["gender"]})
        self.assertEqual(request["state"], "pending")
        with self.assertRaises(PrivetError) as caught:
            rita.approve(request["id"])
        self.assertEqual(caught.exception.code, "forbidden")
        self.assertEqual(olivia.approve(request["id"])["decided_by"], "olivia")
        self.assertEqual(rita.wait(request["id"], poll_seconds=0.1)["state"], "released")
        self.assertTrue(olivia.verify_ledger()["ledger"]["ok"])

    def test_refuses_plain_http(self):
        with self.assertRaises(ValueError):
            PrivetClient(self.url.replace("https://", "http://"), token="x")


if __name__ == "__main__":
    unittest.main(verbosity=2)
