"""``python -m napari_seg`` runs the ``napari-seg`` command."""

import sys

from .cli import main

sys.exit(main())
