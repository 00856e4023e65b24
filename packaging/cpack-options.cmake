# Read by cpack for each generator (CPACK_PROJECT_CONFIG_FILE). For DEB, each component package
# has its own synopsis as the first line of CPACK_DEBIAN_<COMPONENT>_DESCRIPTION; CPackDeb would
# prepend the shared CPACK_PACKAGE_DESCRIPTION_SUMMARY to both unless it is CPack's default.
if(CPACK_GENERATOR STREQUAL "DEB")
  set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CPACK_DEFAULT_PACKAGE_DESCRIPTION_SUMMARY}")
endif()
