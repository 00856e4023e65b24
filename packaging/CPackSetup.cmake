# Installers: `cpack -G DEB` and `cpack -G TGZ` in the build directory.
set(CPACK_PACKAGE_NAME "hopscope")
set(CPACK_PACKAGE_VENDOR "Hopscope")
set(CPACK_PACKAGE_CONTACT "Hopscope maintainers <maintainers@hopscope.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Inspector for HTTP connections that change protocol")
set(CPACK_PACKAGE_DESCRIPTION
    "Hopscope shows, byte by byte and frame by frame, what happens when an HTTP connection\
 changes protocol: h2c upgrade, WebSocket, custom Upgrade tokens, TLS with ALPN, HTTP/2.")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_RESOURCE_FILE_README "${PROJECT_SOURCE_DIR}/README.md")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_FILE_NAME "hopscope-${PROJECT_VERSION}-${CMAKE_SYSTEM_PROCESSOR}")

# Debian: shared-library dependencies are computed from the binaries (dpkg-shlibdeps); OpenSSL is
# added by hand because Qt loads it at run time through its TLS plugin (shipped in
# libqt6network6, which shlibdeps finds), invisible to shlibdeps; likewise libqt6svg6, whose
# plugin draws the window icon.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libssl3, libqt6svg6")
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_GENERATOR "DEB;TGZ")

include(CPack)
