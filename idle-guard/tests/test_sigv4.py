import unittest

import _path  # noqa: F401
import sigv4

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


class SigV4(unittest.TestCase):
    def test_signing_key_from_the_aws_documentation(self):
        key = sigv4.signing_key(SECRET, "20150830", "us-east-1", "iam")
        self.assertEqual(key.hex(), "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9")

    def test_iam_list_users_example_from_the_aws_documentation(self):
        headers = sigv4.sign(
            "GET", "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08",
            {"content-type": "application/x-www-form-urlencoded; charset=utf-8"}, b"",
            "AKIDEXAMPLE", SECRET, "us-east-1", "iam", "20150830T123600Z")
        self.assertEqual(headers["Authorization"],
                         "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
                         "SignedHeaders=content-type;host;x-amz-date, "
                         "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")

    def test_session_token_is_signed(self):
        h = sigv4.sign("POST", "https://ec2.eu-central-1.amazonaws.com/", {}, b"Action=X", "AK", "SK",
                       "eu-central-1", "ec2", "20250101T000000Z", session_token="TOKEN")
        self.assertEqual(h["x-amz-security-token"], "TOKEN")
        self.assertIn("SignedHeaders=host;x-amz-date;x-amz-security-token,", h["Authorization"])


if __name__ == "__main__":
    unittest.main()
