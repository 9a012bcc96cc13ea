service_prestart() {
    mkdir -p "${SYNOPKG_PKGVAR}/data"
}
