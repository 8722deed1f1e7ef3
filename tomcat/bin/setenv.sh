# Example $CATALINA_BASE/bin/setenv.sh for a Tomcat running gitops-status.
# catalina.sh sources this file (POSIX sh); it need not be executable.
# If the Tomcat already has a setenv.sh, merge these lines into it.
#
# CATALINA_OPTS, not JAVA_OPTS: CATALINA_OPTS applies only to the server JVM
# (start/run), so the heap settings do not also go to `catalina.sh stop`.

# Sized for a small service; raise -Xmx if the data file grows to tens of MB.
CATALINA_OPTS="$CATALINA_OPTS -Xms64m -Xmx512m -Djava.awt.headless=true"

# The data file is normally set by the context descriptor
# (conf/Catalina/localhost/gitops-status.xml, parameter statusFile), which wins
# over this system property. To use the property instead, leave the statusFile
# parameter out of the descriptor (or install none) and uncomment:
#CATALINA_OPTS="$CATALINA_OPTS -Dgitops.status.file=/var/lib/gitops-status/status.json"

export CATALINA_OPTS
