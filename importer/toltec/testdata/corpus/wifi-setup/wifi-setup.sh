#!/bin/sh
dialog --inputbox "SSID" 8 40
