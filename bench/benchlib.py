"""Helpers the bench scripts share (live.py, memory.py, vs_old_script.py)."""
import socket


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def med(v):
    v = sorted(v); return v[len(v) // 2]


def pct(v, q):
    v = sorted(v); return v[min(len(v) - 1, int(len(v) * q))]
