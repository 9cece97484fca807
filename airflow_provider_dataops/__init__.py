"""Apache Airflow provider for DataOps teams."""

__version__ = "0.1.0"
