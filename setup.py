"""Packaging detail pyproject.toml cannot express: ship the top-level weights/ as crnzoo.weights."""

from setuptools import find_packages, setup


setup(
    packages=find_packages(include=["crnzoo", "crnzoo.*"]) + ["crnzoo.weights"],
    package_dir={"crnzoo.weights": "weights"},
    package_data={"crnzoo.weights": ["**/*", "**/.*"]},
    exclude_package_data={"crnzoo.weights": [".*.tmp-*/**", ".*.old-*/**"]},
)
