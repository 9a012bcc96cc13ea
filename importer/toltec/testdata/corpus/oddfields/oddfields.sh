#!/bin/sh
cat /sys/class/power_supply/*/capacity
