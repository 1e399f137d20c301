#!/bin/sh
. ./queue.sh
head=$(( $(offset) + 1 ))
if [ "$(poison)" = "$head" ]; then echo "message $head at the head cannot be parsed (poison)"; exit 1; fi
echo "message $head at the head is well-formed"
