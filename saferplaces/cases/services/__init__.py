"""The casework rules, one module per job: ``workflow`` (opening and
changing cases, what they hold), ``assessment`` (risk and MARAC),
``routing`` (referral pathways, referrals and sharing), ``alerts``,
``duplicates``, ``retention``, ``counts`` and ``configuration`` (a
partnership's thresholds and pathways). Views and commands import the
module they need; none of them renders anything. Deliberately empty."""
