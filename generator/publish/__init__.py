"""Publishing safely: the leak gate, encrypted dashboards and the push to GitHub Pages."""

from generator.publish.leak_gate import Finding, LeakError
from generator.publish.stage import publish_stage

__all__ = ["Finding", "LeakError", "publish_stage"]
