# Installers: `cpack -G DEB` and `cpack -G TGZ` in the build directory.
#
# DEB: one package per install component (packaging/CMakeLists.txt, app/*/CMakeLists.txt):
#   cli → hopscope-cli: the command-line client, its man page and completions. QtCore and
#         QtNetwork only: no Qt Widgets, X11 or OpenGL (packaging/check-packages.sh checks).
#   gui → hopscope: the window, desktop entry, icon, AppStream metadata, man page, completions;
#         depends on hopscope-cli of the same version.
# TGZ: one archive with both.
set(CPACK_PACKAGE_NAME "hopscope")
set(CPACK_PACKAGE_VENDOR "Hopscope")
set(CPACK_PACKAGE_CONTACT "Hopscope maintainers <maintainers@hopscope.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Inspector for HTTP connections that change protocol")
set(CPACK_PACKAGE_DESCRIPTION
    "Hopscope shows, byte by byte and frame by frame, what happens when an HTTP connection\
 changes protocol: h2c upgrade, WebSocket, custom Upgrade tokens, TLS with ALPN, HTTP/2.")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_RESOURCE_FILE_README "${PROJECT_SOURCE_DIR}/README.md")
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_FILE_NAME "hopscope-${PROJECT_VERSION}-${CMAKE_SYSTEM_PROCESSOR}")
set(CPACK_COMPONENTS_ALL cli gui)
set(CPACK_COMPONENT_CLI_DISPLAY_NAME "hopscope-cli")
set(CPACK_COMPONENT_GUI_DISPLAY_NAME "hopscope")
set(CPACK_COMPONENT_GUI_DEPENDS cli)
set(CPACK_GENERATOR "DEB;TGZ")

# Debian. The packaging revision "-1" matches packaging/debian/changelog's newest entry
# (packaging/CMakeLists.txt checks at configure time).
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SOURCE "hopscope")
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_CLI_PACKAGE_NAME "hopscope-cli")
set(CPACK_DEBIAN_GUI_PACKAGE_NAME "hopscope")
# Shared-library dependencies are computed per package from its binaries (dpkg-shlibdeps).
# Qt loads OpenSSL at run time through its TLS plugin (shipped in libqt6network6), invisible to
# shlibdeps; both programs link libcrypto (the demo server's certificate), so shlibdeps lists
# libssl3 anyway, and check-packages.sh fails should that ever change. libqt6svg6 is added by
# hand: its plugin draws the window icon.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_GUI_PACKAGE_DEPENDS
    "hopscope-cli (= ${PROJECT_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE}), libqt6svg6")
# Each package's own synopsis (first line) and description; cpack-options.cmake keeps CPack
# from putting the shared summary in front of both.
set(CPACK_DEBIAN_CLI_DESCRIPTION
    "command-line inspector for HTTP connections that change protocol
hopscope-cli sends HTTP requests with curl's habits (options, -w
variables, exit codes) and shows, step by step, what crossed the
connection: DNS, each connect attempt, TLS with ALPN, request and
response heads in wire order, HTTP/2 frames, an h2c upgrade on the same
socket, WebSocket and other Upgrade tokens. The trace can be written as
JSON lines and the run as HAR 1.2.
.
This package needs no display: it uses QtCore and QtNetwork only.")
set(CPACK_DEBIAN_GUI_DESCRIPTION
    "window showing HTTP connections change protocol, frame by frame
Hopscope shows what happens when an HTTP connection changes protocol:
an HTTP/1.1 request with Upgrade: h2c that turns into HTTP/2 on the
same socket, TLS with ALPN, a server's Upgrade: h2 advertisement
followed to a new HTTP/2 connection, WebSocket and custom upgrades.
Every connection, stream, header block and frame is shown, on an
upgrade timeline, with an embedded demo server to try it on.
.
The command-line client is in the hopscope-cli package.")
set(CPACK_PROJECT_CONFIG_FILE "${CMAKE_CURRENT_LIST_DIR}/cpack-options.cmake")

include(CPack)
