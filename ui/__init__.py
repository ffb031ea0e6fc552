"""The PySide6 desktop app: widgets, Qt models, dialogs and workers over the annotator core."""
