"""Publishing a built site to GitHub Pages (generator/publish/publish.py); it builds first."""
