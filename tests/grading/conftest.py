"""tests/grading: the exploit bank's files are hostile notebook cells, never modules to import or collect."""

collect_ignore_glob = ["exploits/*.py", "fixture/*", "exploit_table.py"]
