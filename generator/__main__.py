"""Allow `python -m generator`."""

from generator.launch import main

main()
