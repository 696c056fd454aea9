"""``python -m symbackprop``."""

from .cli.app import run

if __name__ == "__main__":
    run()
