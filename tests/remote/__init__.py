"""Tests of the remote stores against real servers (a package, so that its servers stop when its tests end)."""
