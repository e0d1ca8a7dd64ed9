"""The project file, as :mod:`pipeline.project` reads it (kept under this name for the build's own modules and for
scripts that import it from here; ``convert`` reads a project's defaults without loading the build machinery)."""

from ..project import *  # noqa: F403
from ..project import DEFAULT_INCLUDE, EditionSpec, Project, Source, collect, load_project, project_defaults, schema

__all__ = ["DEFAULT_INCLUDE", "EditionSpec", "Project", "Source", "collect", "load_project", "project_defaults",
           "schema"]
