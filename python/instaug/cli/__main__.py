import sys

from instaug.cli import main

sys.exit(main())
