"""RetroVue: a linear broadcast TV station."""

__version__ = "0.1.0"
