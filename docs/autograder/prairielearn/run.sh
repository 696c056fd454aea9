#!/usr/bin/env bash
# PrairieLearn's external grader runs this in the grading container: the question's
# tests/ folder (assignment.yaml and its spec) is in /grade/tests, the student's files in
# /grade/student, and the results go to /grade/results/results.json.
set -uo pipefail
root="${GRADE_ROOT:-/grade}"
mkdir -p "$root/results"
submission="$root/student/answers.yaml"
for name in answers.yaml answers.yml answers.csv answers.tex answers.md; do
    if [ -e "$root/student/$name" ]; then submission="$root/student/$name"; break; fi
done
symbackprop grade "$root/tests/assignment.yaml" "$submission" \
    -o "$root/results/results.json" --format prairielearn
