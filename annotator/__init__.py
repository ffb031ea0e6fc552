"""News stance & framing annotator: the Qt-free core."""
