"""The transforms, one module per family (as the C++ registry's folders): geometric, pixel, mixing
and compose."""
