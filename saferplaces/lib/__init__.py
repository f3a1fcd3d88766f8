"""The toolbox below the apps: what every app uses, importing none of them."""
