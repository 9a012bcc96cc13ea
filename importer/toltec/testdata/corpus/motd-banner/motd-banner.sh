#!/bin/sh
echo "battery: $(cat /sys/class/power_supply/*/capacity 2>/dev/null | head -n1)%"
