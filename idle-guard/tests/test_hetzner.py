import unittest

import _path  # noqa: F401
import hetzner
from fake_hetzner import FakeHetzner, server

TOKEN = "test-token-0123456789"


def farm_servers():
    return [
        server(1, "demo-hub", "demo", "hub"),
        server(2, "demo-worker0001", "demo", "worker"),
        server(3, "other-worker0001", "other", "worker"),
        server(4, "demo-worker0002", "demo", "worker"),
        server(5, "unlabelled", "", ""),
        server(6, "demo-worker0003", "demo", "worker"),
        server(7, "demo-worker0004", "demo", "worker"),
    ]


class HetznerApi(unittest.TestCase):
    def setUp(self):
        self.logged = []

    def log(self, message):
        self.logged.append(message)

    def test_lists_with_token_selector_and_all_pages(self):
        with FakeHetzner(TOKEN, farm_servers(), page_size=2) as api:
            workers = hetzner.list_workers(api.url, TOKEN, "demo")
        self.assertEqual(sorted(s["id"] for s in workers), [2, 4, 6, 7])
        gets = [q for (m, p, q) in api.requests if m == "GET"]
        self.assertEqual([q["page"] for q in gets], ["1", "2"])  # 4 workers, pages of 2
        self.assertTrue(all(q["label_selector"] == "oomerfarm-farm=demo,oomerfarm-role=worker" for q in gets))

    def test_deletes_only_this_farms_workers(self):
        with FakeHetzner(TOKEN, farm_servers(), page_size=2) as api:
            deleted, errors = hetzner.delete_farm_workers(api.url, TOKEN, "demo", self.log)
        self.assertEqual(errors, [])
        self.assertEqual(sorted(api.deleted), [2, 4, 6, 7])
        self.assertEqual(sorted(deleted), ["demo-worker0001", "demo-worker0002", "demo-worker0003", "demo-worker0004"])
        self.assertEqual(sorted(s["id"] for s in api.servers), [1, 3, 5])

    def test_never_the_hub_even_if_the_api_ignores_the_selector(self):
        with FakeHetzner(TOKEN, farm_servers(), page_size=3) as api:
            api.ignore_selector = True
            hetzner.delete_farm_workers(api.url, TOKEN, "demo", self.log)
        self.assertNotIn(1, api.deleted)
        self.assertNotIn(3, api.deleted)
        self.assertNotIn(5, api.deleted)
        self.assertEqual(sorted(api.deleted), [2, 4, 6, 7])

    def test_dry_run_deletes_nothing(self):
        with FakeHetzner(TOKEN, farm_servers()) as api:
            deleted, errors = hetzner.delete_farm_workers(api.url, TOKEN, "demo", self.log, dry_run=True)
        self.assertEqual((deleted, errors, api.deleted), ([], [], []))
        self.assertEqual(len([m for m in self.logged if m.startswith("dry run")]), 4)

    def test_wrong_token_is_an_error_not_a_crash(self):
        with FakeHetzner(TOKEN, farm_servers()) as api:
            deleted, errors = hetzner.delete_farm_workers(api.url, "wrong", "demo", self.log)
        self.assertEqual(deleted, [])
        self.assertEqual(len(errors), 1)
        self.assertIn("HTTP 401", errors[0])
        self.assertEqual(api.deleted, [])

    def test_server_error_is_returned_then_the_next_run_succeeds(self):
        with FakeHetzner(TOKEN, farm_servers()) as api:
            api.fail_with = 503
            deleted, errors = hetzner.delete_farm_workers(api.url, TOKEN, "demo", self.log)
            self.assertEqual(deleted, [])
            self.assertIn("HTTP 503", errors[0])
            api.fail_with = None
            deleted, errors = hetzner.delete_farm_workers(api.url, TOKEN, "demo", self.log)
        self.assertEqual((len(deleted), errors), (4, []))

    def test_unreachable_api_is_an_error(self):
        with FakeHetzner(TOKEN, []) as api:
            url = api.url
        deleted, errors = hetzner.delete_farm_workers(url, TOKEN, "demo", self.log, timeout=2)
        self.assertEqual(deleted, [])
        self.assertEqual(len(errors), 1)

    def test_already_deleted_server_counts_as_done(self):
        with FakeHetzner(TOKEN, []) as api:
            hetzner.delete_server(api.url, TOKEN, 42)  # 404 from the fake: no exception

    def test_farm_names_that_would_bend_the_selector_are_refused(self):
        for bad in ["demo,oomerfarm-role=hub", "demo!", "", "-demo", "a" * 64, "demo role"]:
            with self.assertRaises(ValueError):
                hetzner.worker_selector(bad)
        self.assertEqual(hetzner.worker_selector("my.farm_1-x"), "oomerfarm-farm=my.farm_1-x,oomerfarm-role=worker")


if __name__ == "__main__":
    unittest.main()
