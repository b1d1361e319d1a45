"""What nianbao asks of the machine, bounded: text encodings, zip packages, child processes, and files written atomically with backups."""
