"""policy-pipeline: Chinese government policy documents → structured YAML records."""

__version__ = "0.1.0"
SCHEMA_VERSION = 1
