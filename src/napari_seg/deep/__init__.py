"""Deep learning: networks, the checkpoint format, inference and training (torch + MONAI).

Imported only by code that needs torch: reading NIfTI files never imports this package.
"""
