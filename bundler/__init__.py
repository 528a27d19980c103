"""supported-housing-bundler: validate supported housing review records, generate
letters, and build and verify evidence bundles (DLUHC 2022 guidance)."""

from __future__ import annotations

__version__ = "0.1.0"
TOOL_NAME = "supported-housing-bundler"

__all__ = ["TOOL_NAME", "__version__"]
