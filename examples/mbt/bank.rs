//! A small bank service, the implementation under test in the model-based-testing example
//! (spec: `examples/mbt/bank.qnt`, harness: `mbt/tests/bank.rs`, walkthrough: `docs/mbt.md`).
//! Balances are unsigned: a request that the balance cannot cover is refused with
//! [`BankError::InsufficientFunds`] and changes nothing.
//!
//! Two deliberate bugs can be switched on, for the harness to find:
//! - [`Bug::StaleSelfTransfer`]: `transfer` reads both balances before writing either, so a
//!   transfer from an account to itself credits the stale balance and creates money;
//! - [`Bug::ExactWithdrawRefused`]: `withdraw` compares with `>` instead of `>=`, so taking
//!   out the whole balance is refused.

use std::collections::BTreeMap;
use std::fmt;

/// Which deliberate bug the bank has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Bug {
    #[default]
    None,
    StaleSelfTransfer,
    ExactWithdrawRefused,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BankError {
    UnknownAccount(String),
    InsufficientFunds { account: String, balance: u64, requested: u64 },
}

impl fmt::Display for BankError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BankError::UnknownAccount(a) => write!(f, "no account `{a}`"),
            BankError::InsufficientFunds { account, balance, requested } => write!(f, "`{account}` holds {balance}, less than {requested}"),
        }
    }
}

impl std::error::Error for BankError {}

#[derive(Clone, Debug)]
pub struct Bank {
    balances: BTreeMap<String, u64>,
    bug: Bug,
}

impl Bank {
    /// A bank with these accounts, all empty, and `bug` (`Bug::None` for the correct one).
    pub fn with_bug(accounts: &[&str], bug: Bug) -> Bank {
        Bank { balances: accounts.iter().map(|a| (a.to_string(), 0)).collect(), bug }
    }

    pub fn balances(&self) -> &BTreeMap<String, u64> {
        &self.balances
    }

    fn balance(&self, account: &str) -> Result<u64, BankError> {
        self.balances.get(account).copied().ok_or_else(|| BankError::UnknownAccount(account.to_string()))
    }

    fn slot(&mut self, account: &str) -> Result<&mut u64, BankError> {
        self.balances.get_mut(account).ok_or_else(|| BankError::UnknownAccount(account.to_string()))
    }

    pub fn deposit(&mut self, account: &str, amount: u64) -> Result<(), BankError> {
        *self.slot(account)? += amount;
        Ok(())
    }

    pub fn withdraw(&mut self, account: &str, amount: u64) -> Result<(), BankError> {
        let balance = self.balance(account)?;
        let covered = match self.bug {
            Bug::ExactWithdrawRefused => balance > amount,
            _ => balance >= amount,
        };
        if !covered {
            return Err(BankError::InsufficientFunds { account: account.to_string(), balance, requested: amount });
        }
        *self.slot(account)? -= amount;
        Ok(())
    }

    pub fn transfer(&mut self, from: &str, to: &str, amount: u64) -> Result<(), BankError> {
        let from_balance = self.balance(from)?;
        let to_balance = self.balance(to)?;
        if from_balance < amount {
            return Err(BankError::InsufficientFunds { account: from.to_string(), balance: from_balance, requested: amount });
        }
        if self.bug == Bug::StaleSelfTransfer {
            *self.slot(from)? = from_balance - amount;
            *self.slot(to)? = to_balance + amount;
        } else {
            *self.slot(from)? -= amount;
            *self.slot(to)? += amount;
        }
        Ok(())
    }
}
