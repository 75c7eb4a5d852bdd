"""`qms train ID` (a training record bound to the revision in force) and `qms training` (the training matrix)."""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys

from ..errors import EXIT_CLEAN, EXIT_USAGE, QmsError
from ..model import sheet
from ..model.document import Document
from ..model.state import PENDING
from ..model.training import COLUMNS, DUE, OVERDUE, READ, row
from ..model.workspace import Workspace
from .common import add_common, open_workspace
from .new import slug
from .records import next_record_id
from .writing import actor, add_commit_option, commit, document, editing, guard, write

TRAIN_EXAMPLE = """examples:
  qms train SOP-001 --commit                       I read and understood SOP-001 as in force today
  qms train WI-001 --trainee production@example.com --method on-the-job --commit
                                                   I trained Pat on WI-001 (a role under training.trainers)
"""
MATRIX_EXAMPLE = """examples:
  qms training                                     everyone concerned against every document in force
  qms training --due --person production@example.com
  qms training --as-of 2026-06-30 --format csv     as the QMS stood on that day
"""
METHODS = ("classroom", "on-the-job")
TABLE = ("document", "revision", "email", "state", "due", "trained_revision", "record")


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    train = commands.add_parser("train", help="record training on the revision of a document in force",
                                epilog=TRAIN_EXAMPLE)
    train.add_argument("id", metavar="ID", help="the document id, e.g. SOP-001")
    train.add_argument("--trainee", metavar="EMAIL", help="the person you trained (default: you read and "
                       "understood it yourself)")
    train.add_argument("--method", choices=METHODS, help="how you trained them (with --trainee)")
    add_commit_option(train)
    add_common(train, train_main, as_of=False)

    matrix = commands.add_parser("training", help="the training matrix: people against documents in force",
                                 epilog=MATRIX_EXAMPLE)
    matrix.add_argument("--due", action="store_true", help="only training due or overdue")
    matrix.add_argument("--person", metavar="EMAIL", help="only this person")
    matrix.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format")
    add_common(matrix, matrix_main)


def train_main(args: argparse.Namespace) -> int:
    with editing(args) as ws:
        return _train(args, ws)


def version(ws: Workspace, doc: Document) -> Document:
    """The version of `doc` training is given on: the one in force, else one approved to come into force."""
    in_force = ws.standing(doc).in_force
    if in_force is not None:
        return in_force.doc
    if ws.assessment(doc).state == PENDING:
        return doc
    raise QmsError(f"{doc.id} revision {doc.revision} is {ws.assessment(doc).state} and no revision of it is in "
                   "force: training is given on an approved revision")


def _train(args: argparse.Namespace, ws: Workspace) -> int:
    policy = ws.config.training
    record_type = ws.config.record_types.get(policy.record_type if policy else "training")
    if record_type is None:
        raise QmsError("qms.yml has no record type for training records (add a `training` section naming one with "
                       "record_type, or a record type called training)")
    doc = version(ws, document(ws, args.id, problems_allowed=True))
    person = actor(ws)
    if args.trainee is None and args.method is not None:
        raise QmsError("--method goes with --trainee: a trainer records training they gave; your own reading is "
                       "recorded with qms train ID alone")
    trainee, trainer = person, None
    if args.trainee is not None:
        if args.method is None:
            raise QmsError(f"--trainee needs --method ({' or '.join(METHODS)}): say how you trained them")
        found = ws.config.people.get(args.trainee.lower())
        if found is None:
            raise QmsError(f"{args.trainee} is not listed under any role in qms.yml (ask the QMS administrator to add "
                           "them)")
        trainee, trainer = found, person
    method = args.method or READ
    record_id = next_record_id(ws, record_type)
    what = "Read and understood" if trainer is None else f"{method.capitalize().replace('-', ' ')} training"
    title = f"{what}: {doc.id} revision {doc.revision}, {trainee.name}"
    rel = f"{record_type.folder}/{record_id}-{slug(title)}.md"
    if os.path.lexists(os.path.join(ws.root, rel)):
        raise QmsError(f"{rel} already exists")
    procedure = ws.by_id.get(record_type.procedure)
    lines = ["---", f"id: {record_id}", f"title: {json.dumps(title, ensure_ascii=False)}",
             f"type: {record_type.name}", f"date: {ws.today.isoformat()}",
             f"owner: {procedure.owner if procedure else 'quality-manager'}", f"procedure: {record_type.procedure}",
             "training:", f"  document: {doc.id}", f"  revision: {json.dumps(doc.revision)}",
             f"  fingerprint: \"{doc.fingerprint}\"", f"  method: {method}",
             f"  trainee: {{name: {json.dumps(trainee.name, ensure_ascii=False)}, email: {trainee.email}}}"]
    if trainer is not None:
        lines.append(f"  trainer: {{name: {json.dumps(trainer.name, ensure_ascii=False)}, email: {trainer.email}}}")
    statement = f"{trainee.name} read and understood" if trainer is None else \
        f"{trainer.name} trained {trainee.name} ({method}) on"
    lines += ["---", f"# {title}", "", f"{statement} {doc.id} {doc.title}, revision {doc.revision}, as approved "
              f"(fingerprint `{doc.fingerprint}`), on {ws.today.isoformat()}.", ""]
    text = "\n".join(lines)
    must_sign = guard(ws, person, {rel: text}, args.commit)
    previous = write(ws, {rel: text})
    print(f"created {rel}: {record_id}, {title}")
    if args.commit:
        commit(ws, previous, f"Record training {record_id}: {doc.id} revision {doc.revision}, {trainee.name}",
               {"Trained": f"{trainee.name} <{trainee.email}>", "Document": doc.id, "Revision": doc.revision,
                "Method": method}, sign=must_sign)
    else:
        print("commit it as yourself: the commit is the evidence, and the record cannot change once committed")
    return EXIT_CLEAN


def matrix_main(args: argparse.Namespace) -> int:
    ws = open_workspace(args)
    if ws.config.training is None:
        raise QmsError("qms.yml has no `training` section: nobody is required to train on any document (see README: "
                       "Training)")
    if args.person is not None and args.person.lower() not in ws.config.people:
        raise QmsError(f"{args.person} is not listed under any role in qms.yml (name someone who is, with --person "
                       "EMAIL)", EXIT_USAGE)
    cells = [cell for cell in ws.training if (args.person is None or cell.person.email.lower() == args.person.lower())
             and (not args.due or cell.state in (DUE, OVERDUE))]
    rows = [row(cell) for cell in cells]
    if args.format == "json":
        json.dump({"as_of": ws.today.isoformat(), "cells": rows}, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    elif args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(COLUMNS), extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(sheet.rows(rows))
    else:
        table = [[str(item[column] or "-") for column in TABLE] for item in rows]
        widths = [max([len(column)] + [len(line[i]) for line in table]) for i, column in enumerate(TABLE)]
        print("  ".join(column.upper().replace("_", " ").ljust(widths[i]) for i, column in enumerate(TABLE)).rstrip())
        for line in table:
            print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
        counts = {state: sum(item["state"] == state for item in rows) for state in ("trained", "older", DUE, OVERDUE)}
        print(f"qms training: {len(rows)} cell(s) as of {ws.today}: " + ", ".join(f"{n} {s}" for s, n in counts.items()),
              file=sys.stderr)
    return EXIT_CLEAN
