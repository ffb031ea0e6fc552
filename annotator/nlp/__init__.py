"""Language detection, sentence splitting, boilerplate, entities and target grouping."""
