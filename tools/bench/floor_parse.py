"""The floor for `qms check`: read every document and parse its front matter with PyYAML's C loader, nothing else."""

import os
import sys

import yaml

count = 0
for folder, _dirs, files in os.walk(os.path.join(sys.argv[1], "procedures")):
    for name in files:
        with open(os.path.join(folder, name), encoding="utf-8") as handle:
            text = handle.read()
        yaml.load(text[4:text.index("\n---\n", 4)], Loader=yaml.CSafeLoader)
        count += 1
print(count)
