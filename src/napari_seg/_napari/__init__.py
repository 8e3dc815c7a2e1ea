"""The napari adapter layer: the only package that imports napari, Qt or magicgui.

Each module is thin: it reads layers, calls the core, and returns or updates
layers whose placement copies their source's.
"""
