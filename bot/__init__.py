"""Dispute Desk: help for freelancers facing difficult buyers."""

__version__ = "0.1.0"
