"""The app's shared objects (workspace, runner, previews, limiters), for the modules of the web
package: a module of its own, so that none of them imports the package that assembles them."""

from __future__ import annotations

from flask import current_app


def extension(name: str):
    return current_app.extensions["savings"][name]
