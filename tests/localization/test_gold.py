"""Gold locations from a real-looking SWE-bench patch, and Acc@k."""

from __future__ import annotations

import pytest

from localization import BadPatch, acc_at_k, gold_from_patch, rate

OLD = '''"""Sessions."""
import os

TIMEOUT = 3


class Session:
    """A session.

    Holds settings.
    """

    retries = 1

    def send(self, request):
        prepared = self.prepare(request)
        return prepared

    def prepare(self, request):
        def inner():
            return request
        return inner()


def merge(a, b):
    return {**a, **b}
'''

PATCH = """diff --git a/pkg/sessions.py b/pkg/sessions.py
--- a/pkg/sessions.py
+++ b/pkg/sessions.py
@@ -1,9 +1,10 @@
 \"\"\"Sessions.\"\"\"
 import os
+import sys

-TIMEOUT = 3
+TIMEOUT = 5


 class Session:
     \"\"\"A session.

@@ -12,14 +13,17 @@ class Session:

-    retries = 1
+    retries = 2

     def send(self, request):
         prepared = self.prepare(request)
         return prepared

     def prepare(self, request):
         def inner():
-            return request
+            return request.copy()
         return inner()

+    def close(self):
+        return None
+

 def merge(a, b):
diff --git a/docs/changes.rst b/docs/changes.rst
--- a/docs/changes.rst
+++ b/docs/changes.rst
@@ -1 +1,2 @@
 Changes
+- fixed prepare
diff --git a/pkg/new.py b/pkg/new.py
new file mode 100644
--- /dev/null
+++ b/pkg/new.py
@@ -0,0 +1 @@
+X = 1
"""


def _read(path: str) -> str | None:
    return OLD if path == "pkg/sessions.py" else None


def test_gold_follows_locagent_rules() -> None:
    gold = gold_from_patch(PATCH, read_old=_read)
    # Only existing .py files; docs and the added file are not gold.
    assert gold.files == ("pkg/sessions.py",)
    # The class attribute edit counts for the class; the nested function for its method; the
    # import and the module-level assignment count for nothing; the added method `close` is not a
    # gold function but its (existing) class is a gold class.
    assert gold.classes == ("pkg/sessions.py:Session",)
    assert gold.functions == ("pkg/sessions.py:Session.prepare",)


def test_top_level_function_edit() -> None:
    patch = (
        "--- a/pkg/sessions.py\n+++ b/pkg/sessions.py\n@@ -25,2 +25,2 @@\n"
        " def merge(a, b):\n-    return {**a, **b}\n+    return {**b, **a}\n"
    )
    gold = gold_from_patch(patch, read_old=_read)
    assert gold.functions == ("pkg/sessions.py:merge",)
    assert gold.classes == ()


def test_not_a_patch_is_a_clear_error() -> None:
    with pytest.raises(BadPatch):
        gold_from_patch("--- a/x.py\n+++ b/x.py\n@@ -1,2 +1,2 @@\n-a\n", read_old=_read)


def test_acc_at_k() -> None:
    ranked = ["a", "b", "c", "d"]
    assert acc_at_k(ranked, ["a"], 1) is True
    assert acc_at_k(ranked, ["a", "c"], 2) is False
    assert acc_at_k(ranked, ["a", "c"], 3) is True
    # More gold than k: the top k must all be gold (LocAgent's counting).
    assert acc_at_k(ranked, ["a", "b", "x"], 2) is True
    assert acc_at_k(ranked, [], 5) is None


def test_rate_leaves_out_instances_without_gold() -> None:
    assert rate([True, False, None, True]) == (2 / 3, 3)
    assert rate([None]) == (None, 0)
