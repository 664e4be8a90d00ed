"""The production settings, unchanged except where collected static files go and one URL.

Production serves static files from a manifest that `collectstatic` writes to STATIC_ROOT. The
benchmark collects them into a temporary folder (BENCH_STATIC_ROOT) rather than the project's
`staticfiles/`, which development would otherwise serve stale copies from.

ROOT_URLCONF adds the bare view that is the framework's baseline (bench/urls.py), so that the
portal's own URLs hold nothing that exists only for benchmarks.
"""

from __future__ import annotations

import os
from pathlib import Path

from portal.settings import *  # noqa: F403 - the production settings, whole

STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"])
ROOT_URLCONF = "bench.urls"
