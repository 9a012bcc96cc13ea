#!/bin/sh
date +%H:%M
