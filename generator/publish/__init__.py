"""Publishing safely: the leak gate, encrypted dashboards and the push to GitHub Pages."""

from generator.publish.leak_gate import Finding, LeakError
from generator.publish.stage import dashboards_encrypted, publish_stage

__all__ = ["Finding", "LeakError", "dashboards_encrypted", "publish_stage"]
