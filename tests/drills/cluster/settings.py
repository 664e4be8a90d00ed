"""The production settings, unchanged except where collected static files go.

Every host of the drill runs the same release with the same environment, as docs/operations.md
says; static files are collected once into the run's folder (CLUSTER_DRILL_STATIC_ROOT) rather
than the project's `staticfiles/`, which development would otherwise serve stale copies from.
"""

from __future__ import annotations

import os
from pathlib import Path

from portal.settings import *  # noqa: F403 - the production settings, whole

STATIC_ROOT = Path(os.environ["CLUSTER_DRILL_STATIC_ROOT"])
