#!/bin/sh
# A capability that is always there; its first line of output is the reason shown in a diagnosis.
echo "$1"
